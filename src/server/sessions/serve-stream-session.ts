import type { ChatCompletionStream } from '../../core/router/chat-completion-stream.js';
import type { ChatCompletionChunk } from '../../core/types/chat-chunk.js';
import { toGatewayError } from '../errors/gateway-errors.js';
import type { CompletionTap } from '../observability/completion-observer.js';
import type { RequestContext } from '../request-context.js';
import { createResponseSubscriber } from './create-response-subscriber.js';
import type { SessionOutcome, SessionTap } from './create-stream-session.js';
import type { SessionEventEncoder } from './session-event-encoder.js';
import type { ResumePolicy } from './session-settings.js';

/** With auth off every caller is this one owner. */
export const anonymousOwner = 'anonymous';

/** The session owner of a request: its key identity, or the anonymous owner when the gateway has no keys. */
export function ownerOf(context: RequestContext): string {
  return context.identity ?? anonymousOwner;
}

/**
 * Whether a streamed request keeps its events for a resume: the `x-circuit-breaker-resumable` header (`true` or
 * `false`) wins, then the body's `circuit_breaker.resumable`, then the policy (`always` or `on_request`).
 */
export function isResumableRequest(context: RequestContext, body: unknown, policy: ResumePolicy): boolean {
  const header = context.req.headers['x-circuit-breaker-resumable'];
  if (header === 'true') return true;
  if (header === 'false') return false;
  const extension = (body as { circuit_breaker?: { resumable?: unknown } } | null)?.circuit_breaker;
  if (typeof extension?.resumable === 'boolean') return extension.resumable;
  return policy === 'always';
}

/**
 * Serves a streamed completion as a session, the same for every caller format: starts the router stream (aborted
 * with the request only when not resumable: a resumable stream must outlive its connection; a non-resumable one is
 * aborted at once by the session when the client leaves, and through the request's `onAbort` on `abortAll`; the
 * stream's own controller is then the only one), registers the session (a 503 when the store is full), attaches
 * this response and resolves when the response is over.
 */
export async function serveStreamSession(
  context: RequestContext,
  options: {
    /** What the router streams (the caller's body, or its conversion). */
    request: unknown;
    /** The model the caller asked for; the router's requested model when absent. */
    model?: string;
    /** The caller format's events for this stream (its id names the Anthropic message). */
    createEncoder(stream: ChatCompletionStream): SessionEventEncoder;
  },
): Promise<void> {
  const { gateway } = context;
  const resumable = isResumableRequest(context, context.body, gateway.sessions.settings.resume);
  const stream = gateway.router.streamChatCompletion(options.request);
  context.trackRouterRequest(stream.id);
  const tap = createSessionTap(context);
  let session: ReturnType<typeof gateway.sessions.create>;
  try {
    session = gateway.sessions.create({
      owner: ownerOf(context),
      model: options.model ?? stream.requestedModel,
      stream,
      encoder: options.createEncoder(stream),
      resumable,
      tap,
    });
  } catch (error) {
    stream.abort();
    throw error;
  }
  if (tap) context.sessionEnd = tap.ended;
  if (!resumable) {
    // The stream first, with the request's own reason (shutdown or disconnect), then the session.
    context.onAbort((reason) => {
      stream.abort(reason);
      session.abort(toGatewayError(reason));
    });
  }
  const subscriber = createResponseSubscriber({
    res: context.res,
    headers: context.idHeaders(),
    session,
    headerDeadlineMs: gateway.headerDeadlineMs,
    keepAliveIntervalMs: gateway.keepAliveIntervalMs,
    sendHeadersNow: false,
  });
  // A chain rather than two awaits: this function's suspended frame would stay in memory for the whole stream.
  return session.attach(subscriber, -1).then(() => subscriber.done);
}

/**
 * The request's observability tap as the session's: chunks pass straight through, and the session's end settles
 * `ended`, which the gateway awaits before ending the request's tap (so a detached stream's tokens are counted).
 */
function createSessionTap(context: RequestContext): (SessionTap & { ended: Promise<SessionOutcome> }) | undefined {
  return context.tap ? new RequestTapRelay(context.tap) : undefined;
}

/** A class, not a literal of closures: an open stream holds its tap (docs/decisions/0006). */
class RequestTapRelay implements SessionTap {
  readonly ended: Promise<SessionOutcome>;
  readonly #tap: CompletionTap;
  #settle: ((outcome: SessionOutcome) => void) | undefined = undefined;

  constructor(tap: CompletionTap) {
    this.#tap = tap;
    this.ended = new Promise<SessionOutcome>((resolve) => {
      this.#settle = resolve;
    });
  }

  streamStart(): void {
    this.#tap.streamStart();
  }

  chunks(chunks: readonly ChatCompletionChunk[]): void {
    this.#tap.chunks(chunks);
  }

  end(outcome: SessionOutcome): void {
    this.#settle?.(outcome);
  }
}
