import type { RequestContext } from '../request-context.js';
import { sendJson } from '../send-json.js';

/**
 * `GET /v1/models`: the configured model names as OpenAI's model list.
 * @see https://platform.openai.com/docs/api-reference/models/list
 */
export async function handleModels(context: RequestContext): Promise<void> {
  await sendJson(context.res, {
    status: 200,
    body: { object: 'list', data: context.gateway.router.listModels() },
    acceptEncoding: context.req.headers['accept-encoding'],
  });
}
