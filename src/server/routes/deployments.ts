import type { RequestContext } from '../request-context.js';
import { sendJson } from '../send-json.js';

/**
 * `GET /v1/deployments`: every deployment's circuit state, recent failures, latency (TTFT EWMA and p95),
 * in-flight count and rate-limit headroom, exactly as `router.deployments()` returns them. Gateway keys apply.
 */
export async function handleDeployments(context: RequestContext): Promise<void> {
  await sendJson(context.res, {
    status: 200,
    body: { object: 'list', data: context.gateway.router.deployments() },
    acceptEncoding: context.req.headers['accept-encoding'],
  });
}
