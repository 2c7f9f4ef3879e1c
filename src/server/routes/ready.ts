import type { RequestContext } from '../request-context.js';
import { sendJson } from '../send-json.js';

/**
 * `GET /ready`: readiness for a load balancer or orchestrator, open without a key like `/health`. 200 when the config
 * is loaded and at least one deployment is usable (its circuit not open); else 503 with the reasons, so traffic goes
 * to another instance while every upstream is failing here.
 */
export async function handleReady(context: RequestContext): Promise<void> {
  const observability = context.gateway.observability;
  const readiness = observability?.readiness() ?? { ready: true, reasons: [], deployments: [] };
  await sendJson(context.res, {
    status: readiness.ready ? 200 : 503,
    body: { status: readiness.ready ? 'ready' : 'not_ready', ...readiness },
    headers: { 'cache-control': 'no-store' },
  });
}
