import { convertAnthropicRequest, convertCompletionToAnthropic } from '../anthropic-format/index.js';
import { readJsonBody } from '../middleware/read-json-body.js';
import type { RequestContext } from '../request-context.js';
import { sendJson } from '../send-json.js';
import { serveStreamSession } from '../sessions/serve-stream-session.js';
import { createAnthropicSessionEncoder } from '../sessions/session-event-encoder.js';
import { servedByHeaders } from '../streaming/served-by-headers.js';
import { recordCompletion } from './record-completion.js';

/**
 * `POST /v1/messages`: an Anthropic Messages request, converted to our request and served by any routed model;
 * streamed as Anthropic's event sequence, or answered as one Anthropic message. Errors use Anthropic's envelope.
 * @see https://docs.anthropic.com/en/api/messages
 */
export async function handleMessages(context: RequestContext): Promise<void> {
  const { gateway, req, res } = context;
  const body = await readJsonBody(req, gateway.maxBodyBytes);
  context.body = body;
  const request = convertAnthropicRequest(body);
  context.log.model = request.model;
  context.log.stream = request.stream === true;
  if (gateway.logContent) context.log.content = body;

  if (request.stream) {
    // Every stream is a session (docs/sessions.md); it, not the request signal, decides when a disconnect aborts.
    // Returned, not awaited: this function's suspended frame would stay in memory for the whole stream.
    return serveStreamSession(context, {
      request,
      model: request.model,
      createEncoder: (stream) =>
        createAnthropicSessionEncoder({
          messageId: toMessageId(stream.id),
          model: request.model,
          secrets: gateway.secrets,
        }),
    });
  }
  const completion = await gateway.router.chatCompletion(request, { signal: context.signal });
  recordCompletion(context.log, completion);
  await sendJson(res, {
    status: 200,
    body: convertCompletionToAnthropic(completion, { messageId: toMessageId(completion.id) }),
    headers: { ...context.idHeaders(), ...servedByHeaders(completion.circuit_breaker) },
    acceptEncoding: req.headers['accept-encoding'],
  });
}

/** Our `chatcmpl-<uuid>` id → Anthropic's `msg_…` style, still unique and traceable to the router's request. */
function toMessageId(routerRequestId: string): string {
  return `msg_${routerRequestId.replace(/^chatcmpl-/, '').replaceAll('-', '')}`;
}
