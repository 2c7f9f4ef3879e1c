import { randomUUID } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { CircuitBreakerError } from '../core/errors/circuit-breaker-error.js';
import { redactSecrets } from '../core/errors/redact-secrets.js';
import { CancelledError } from '../core/errors/request-errors.js';
import type { CompletionTap } from './observability/completion-observer.js';
import type { ErrorFormat, GatewaySettings, RequestContext, RequestLogFields } from './request-context.js';
import type { SessionOutcome } from './sessions/create-stream-session.js';

/** A caller's own `x-request-id` is kept when it is a plain token, so traces line up across services. */
const acceptableRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

export interface OwnedRequestContext extends RequestContext {
  /** Aborts the request's router calls (client disconnect, `abortAll`): its signal, if made, and its abort listener. */
  abort(reason: unknown): void;
  /** Drops this request's router ids from the shared map (the request and its session are over). */
  forgetRouterRequests(): void;
}

/**
 * Builds the per-request context: request id (sent as `x-request-id`, and as `request-id` on the Anthropic route,
 * where Anthropic's SDK looks: see `idHeaders`), the abort wired to the client connection, and the log fields.
 */
export function createRequestContext(options: {
  gateway: GatewaySettings;
  req: IncomingMessage;
  res: ServerResponse;
  format: ErrorFormat;
  routerRequests: Map<string, RequestLogFields>;
}): OwnedRequestContext {
  const incoming = options.req.headers['x-request-id'];
  const requestId =
    typeof incoming === 'string' && acceptableRequestId.test(incoming)
      ? incoming
      : `req_${randomUUID().replaceAll('-', '')}`;
  return new GatewayRequestContext(options, requestId);
}

/**
 * One request's context. A class, not an object literal of closures: a streamed request holds it for the whole
 * stream (docs/decisions/0006). Its `AbortController` is made only when a route reads `signal` (the non-streamed
 * completions): a stream takes its abort through `onAbort` instead, so that it has one controller, its own, and not
 * a chain of three signals (a Node `AbortSignal` with its listener maps is ~0.7 KB, and survives a scavenge).
 */
class GatewayRequestContext implements OwnedRequestContext {
  readonly gateway: GatewaySettings;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly format: ErrorFormat;
  identity: string | undefined = undefined;
  body: unknown = undefined;
  tap: CompletionTap | undefined = undefined;
  sessionEnd: Promise<SessionOutcome> | undefined = undefined;
  clientGone = false;
  readonly log: RequestLogFields = {};
  readonly #routerRequests: Map<string, RequestLogFields>;
  /**
   * Its own ids, so that forgetting them is a lookup each, not a scan of every request in flight. Made with the
   * first id: an empty array's first push reserves 17 slots (~0.15 KB) where a request has one id.
   */
  #routerRequestIds: string[] | undefined = undefined;
  #controller: AbortController | undefined = undefined;
  #abortListener: ((reason: unknown) => void) | undefined = undefined;
  #aborted = false;
  #abortReason: unknown = undefined;

  constructor(options: Parameters<typeof createRequestContext>[0], requestId: string) {
    this.gateway = options.gateway;
    this.req = options.req;
    this.res = options.res;
    this.format = options.format;
    this.requestId = requestId;
    this.#routerRequests = options.routerRequests;
    const res = options.res;
    // `on`, not `once`: 'close' comes once anyway, and `once` wraps the listener in a bound function and a state
    // object (~0.1 KB) held for the whole stream.
    res.on('close', () => {
      if (res.writableFinished) return;
      // The client went away before the whole answer was written: stop the upstream call now.
      this.clientGone = true;
      this.abort(new CancelledError('The client disconnected.'));
    });
  }

  idHeaders(): OutgoingHttpHeaders {
    const id = this.requestId;
    return this.format === 'anthropic' ? { 'x-request-id': id, 'request-id': id } : { 'x-request-id': id };
  }

  setIdHeaders(): void {
    const res = this.res;
    if (res.headersSent) return;
    res.setHeader('x-request-id', this.requestId);
    if (this.format === 'anthropic') res.setHeader('request-id', this.requestId);
  }

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  onAbort(listener: (reason: unknown) => void): void {
    if (this.#aborted) listener(this.#abortReason);
    else this.#abortListener = listener;
  }

  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
    const listener = this.#abortListener;
    this.#abortListener = undefined;
    listener?.(reason);
  }

  trackRouterRequest(routerRequestId: string): void {
    this.#routerRequests.set(routerRequestId, this.log);
    if (this.#routerRequestIds) this.#routerRequestIds.push(routerRequestId);
    else this.#routerRequestIds = [routerRequestId];
  }

  forgetRouterRequests(): void {
    for (const id of this.#routerRequestIds ?? []) this.#routerRequests.delete(id);
  }

  recordError(error: CircuitBreakerError): void {
    const log = this.log;
    log.outcome = error.code === 'CANCELLED' ? 'cancelled' : 'error';
    log.errorCode = error.code;
    const cause = (error as { cause?: unknown }).cause;
    const message = error.code === 'INTERNAL' && cause instanceof Error ? cause.message : error.message;
    log.errorMessage = redactSecrets(message, this.gateway.secrets);
    log.provider ??= error.provider;
  }
}
