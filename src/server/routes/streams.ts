import { InvalidRequestError } from '../../core/errors/request-errors.js';
import type { RequestContext } from '../request-context.js';
import { sendJson } from '../send-json.js';
import { createResponseSubscriber } from '../sessions/create-response-subscriber.js';
import type { StreamSession } from '../sessions/create-stream-session.js';
import { ownerOf } from '../sessions/serve-stream-session.js';
import { StreamCancelledError, StreamNotFoundError, StreamNotResumableError } from '../sessions/session-errors.js';

/** The path prefix of one stream: `/v1/streams/{id}`. */
export const streamPathPrefix = '/v1/streams/';

/** `GET /v1/streams`: the caller's sessions (live, and finished ones still retained), oldest first. */
export async function handleListStreams(context: RequestContext): Promise<void> {
  await sendJson(context.res, {
    status: 200,
    body: { object: 'list', data: context.gateway.sessions.list(ownerOf(context)) },
    acceptEncoding: context.req.headers['accept-encoding'],
  });
}

/**
 * `GET /v1/streams/{id}`: resumes a stream after `Last-Event-ID` (the header a browser `EventSource` sends when it
 * reconnects, or `?last_event_id=` for clients that cannot set headers; the header wins): every buffered event
 * after it, then the live continuation, ending as the original would. Without either, the whole stream.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#the-last-event-id-header
 */
export async function handleGetStream(context: RequestContext): Promise<void> {
  const session = await findSession(context);
  const after = readLastEventId(context);
  if (session.ended && after >= session.summary().last_event_id) {
    // Nothing left: 204 is also what makes a browser EventSource stop reconnecting.
    context.res.writeHead(204, { 'x-circuit-breaker-stream-id': session.id }).end();
    return;
  }
  if (!session.resumable && after < session.summary().last_event_id) throw new StreamNotResumableError(session.id);
  const subscriber = createResponseSubscriber({
    res: context.res,
    session,
    headerDeadlineMs: context.gateway.headerDeadlineMs,
    keepAliveIntervalMs: context.gateway.keepAliveIntervalMs,
    sendHeadersNow: true,
  });
  await session.attach(subscriber, after);
  await subscriber.done;
}

/**
 * `DELETE /v1/streams/{id}`: a live stream is cancelled (its upstream aborted now; attached readers get the
 * cancelled event) and stays readable for the retention; a finished one is forgotten at once.
 */
export async function handleDeleteStream(context: RequestContext): Promise<void> {
  const session = await findSession(context);
  if (session.ended) context.gateway.sessions.remove(session.id);
  else session.abort(new StreamCancelledError());
  await sendJson(context.res, { status: 200, body: { id: session.id, object: 'stream.deleted', deleted: true } });
}

/** The caller's session: here, or (several instances sharing a journal) on another instance. */
async function findSession(context: RequestContext): Promise<StreamSession> {
  const path = (context.req.url ?? '').split('?')[0];
  const id = decodeURIComponent(path.slice(streamPathPrefix.length));
  const session = await context.gateway.sessions.find(id, ownerOf(context));
  if (!session) throw new StreamNotFoundError(id);
  return session;
}

function readLastEventId(context: RequestContext): number {
  const header = context.req.headers['last-event-id'];
  const query = new URL(context.req.url ?? '/', 'http://gateway').searchParams.get('last_event_id');
  const raw = typeof header === 'string' && header.trim() !== '' ? header.trim() : query;
  if (raw === null || raw === '') return -1;
  if (!/^-?\d+$/.test(raw) || Number(raw) < -1) {
    throw new InvalidRequestError(`Last-Event-ID must be an event position from this stream, not "${raw}".`, {
      param: 'last_event_id',
    });
  }
  return Number(raw);
}
