import { readJsonBody } from '../middleware/read-json-body.js';
import type { RequestContext } from '../request-context.js';
import { sendJson } from '../send-json.js';
import { serveStreamSession } from '../sessions/serve-stream-session.js';
import { createOpenAISessionEncoder } from '../sessions/session-event-encoder.js';
import { servedByHeaders } from '../streaming/served-by-headers.js';
import { recordCompletion } from './record-completion.js';

/**
 * `POST /v1/chat/completions`: the body goes to the router as it is (the router validates it and names the bad
 * field); streamed as OpenAI SSE, or answered as one `chat.completion`.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
export async function handleChatCompletions(context: RequestContext): Promise<void> {
  const { gateway, req, res } = context;
  const body = await readJsonBody(req, gateway.maxBodyBytes);
  context.body = body;
  const fields = body !== null && typeof body === 'object' ? (body as { model?: unknown; stream?: unknown }) : {};
  if (typeof fields.model === 'string') context.log.model = fields.model;
  context.log.stream = fields.stream === true;
  if (gateway.logContent) context.log.content = body;

  if (fields.stream === true) {
    // Every stream is a session (docs/sessions.md); it, not the request signal, decides when a disconnect aborts.
    // Returned, not awaited: this function's suspended frame would stay in memory for the whole stream.
    return serveStreamSession(context, {
      request: body,
      createEncoder: () => createOpenAISessionEncoder(gateway.secrets),
    });
  }
  const completion = await gateway.router.chatCompletion(body, { signal: context.signal });
  recordCompletion(context.log, completion);
  await sendJson(res, {
    status: 200,
    body: completion,
    headers: { ...context.idHeaders(), ...servedByHeaders(completion.circuit_breaker) },
    acceptEncoding: req.headers['accept-encoding'],
  });
}
