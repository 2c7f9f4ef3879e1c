import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CircuitBreakerError } from '../core/errors/circuit-breaker-error.js';
import { redactSecrets } from '../core/errors/redact-secrets.js';
import { CancelledError } from '../core/errors/request-errors.js';
import type { ErrorFormat, GatewaySettings, RequestContext, RequestLogFields } from './request-context.js';

/** A caller's own `x-request-id` is kept when it is a plain token, so traces line up across services. */
const acceptableRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

export interface OwnedRequestContext extends RequestContext {
  /** Aborts the request's router calls (client disconnect, `abortAll`). */
  readonly controller: AbortController;
  /** Drops this request's router ids from the shared map (the request and its session are over). */
  forgetRouterRequests(): void;
}

/**
 * Builds the per-request context: request id (also sent as `x-request-id`, and as `request-id` on the Anthropic
 * route, where Anthropic's SDK looks), the abort signal wired to the client connection, and the log fields.
 */
export function createRequestContext(options: {
  gateway: GatewaySettings;
  req: IncomingMessage;
  res: ServerResponse;
  format: ErrorFormat;
  routerRequests: Map<string, RequestLogFields>;
}): OwnedRequestContext {
  const { req, res, gateway } = options;
  const incoming = req.headers['x-request-id'];
  const requestId =
    typeof incoming === 'string' && acceptableRequestId.test(incoming)
      ? incoming
      : `req_${randomUUID().replaceAll('-', '')}`;
  res.setHeader('x-request-id', requestId);
  if (options.format === 'anthropic') res.setHeader('request-id', requestId);

  const controller = new AbortController();
  const log: RequestLogFields = {};
  // Its own ids, so that forgetting them is a lookup each, not a scan of every request in flight.
  const routerRequestIds: string[] = [];
  const context: OwnedRequestContext & { clientGone: boolean } = {
    gateway,
    req,
    res,
    requestId,
    format: options.format,
    identity: undefined,
    body: undefined,
    tap: undefined,
    sessionEnd: undefined,
    signal: controller.signal,
    controller,
    // A data property, not a getter: V8 builds an object literal with a getter in dictionary mode, with a hidden class of
    // its own, ~0.4 KB more for every open stream (memory probe).
    clientGone: false,
    log,
    trackRouterRequest(routerRequestId) {
      options.routerRequests.set(routerRequestId, log);
      routerRequestIds.push(routerRequestId);
    },
    forgetRouterRequests() {
      for (const id of routerRequestIds) options.routerRequests.delete(id);
    },
    recordError(error: CircuitBreakerError) {
      log.outcome = error.code === 'CANCELLED' ? 'cancelled' : 'error';
      log.errorCode = error.code;
      const cause = (error as { cause?: unknown }).cause;
      const message = error.code === 'INTERNAL' && cause instanceof Error ? cause.message : error.message;
      log.errorMessage = redactSecrets(message, gateway.secrets);
      log.provider ??= error.provider;
    },
  };
  res.once('close', () => {
    if (res.writableFinished) return;
    // The client went away before the whole answer was written: stop the upstream call now.
    context.clientGone = true;
    controller.abort(new CancelledError('The client disconnected.'));
  });
  return context;
}
