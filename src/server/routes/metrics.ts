import { requireObservability } from '../observability/require-observability.js';
import type { RequestContext } from '../request-context.js';

/**
 * `GET /metrics`: Prometheus text exposition of this gateway's registry (docs/observability.md lists the series).
 * Behind the gateway keys like the API, unless the config says `metrics: {public: true}`.
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/
 */
export async function handleMetrics(context: RequestContext): Promise<void> {
  const { contentType, body } = await requireObservability(context).metrics.render();
  const { res } = context;
  if (res.destroyed) return;
  res.writeHead(200, {
    'content-type': contentType,
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
