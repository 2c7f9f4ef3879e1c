import type { RequestContext } from '../request-context.js';
import { sendJson } from '../send-json.js';

/** `GET /health`: liveness for load balancers and orchestrators; open without a key. */
export async function handleHealth(context: RequestContext): Promise<void> {
  await sendJson(context.res, { status: 200, body: { status: 'ok' } });
}
