import type { ChatCompletionStream } from '../../core/router/chat-completion-stream.js';
import { toGatewayError } from '../errors/gateway-errors.js';
import type { RequestContext } from '../request-context.js';
import { createResponseSubscriber } from './create-response-subscriber.js';
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
 * Serves a streamed completion as a session: registers it (a 503 when the store is full), attaches this response
 * and resolves when the response is over. The router stream must not take the request's signal when resumable
 * (a disconnect must not abort it); a non-resumable one is aborted at once by the session when the client leaves,
 * and by the request signal on `abortAll`.
 */
export async function serveStreamSession(
  context: RequestContext,
  options: { stream: ChatCompletionStream; encoder: SessionEventEncoder; model: string; resumable: boolean },
): Promise<void> {
  const { gateway } = context;
  let session: ReturnType<typeof gateway.sessions.create>;
  try {
    session = gateway.sessions.create({
      owner: ownerOf(context),
      model: options.model,
      stream: options.stream,
      encoder: options.encoder,
      resumable: options.resumable,
      tap: context.tap,
    });
  } catch (error) {
    options.stream.abort();
    throw error;
  }
  if (!options.resumable) {
    const onAbort = () => session.abort(toGatewayError(context.signal.reason));
    context.signal.addEventListener('abort', onAbort, { once: true });
  }
  const subscriber = createResponseSubscriber({
    res: context.res,
    session,
    headerDeadlineMs: gateway.headerDeadlineMs,
    keepAliveIntervalMs: gateway.keepAliveIntervalMs,
    sendHeadersNow: false,
  });
  await session.attach(subscriber, -1);
  await subscriber.done;
}
