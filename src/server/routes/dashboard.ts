import { encodeSseEvent } from '../../core/sse/encode-sse.js';
import { dashboardPage } from '../observability/dashboard-page.js';
import { requireObservability } from '../observability/require-observability.js';
import type { RequestContext } from '../request-context.js';
import { createSseResponse } from '../streaming/sse-response.js';

/**
 * `GET /dashboard`: the live dashboard, one self-contained HTML page (inline CSS and JS, no external requests). The
 * page holds no data, so it is served without a key; everything it shows comes from `/dashboard/events`, which takes
 * the gateway key like the API (the page asks for it, or reads `?api_key=` once, and keeps it in sessionStorage).
 */
export async function handleDashboard(context: RequestContext): Promise<void> {
  requireObservability(context);
  const { res } = context;
  if (res.destroyed) return;
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(dashboardPage),
    // The page loads nothing from elsewhere and must not be framed by another site.
    'content-security-policy':
      "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; frame-ancestors 'none'",
    'referrer-policy': 'no-referrer',
  });
  res.end(dashboardPage);
}

/**
 * `GET /dashboard/events`: the dashboard's live feed as SSE: a `snapshot` event at once and then every second (totals,
 * deployments, streams, chart series, recent activity), and an `activity` event for each error, retry, fallback,
 * failover, hedge or circuit transition as it happens. Ends when the client leaves or the gateway stops.
 */
export async function handleDashboardEvents(context: RequestContext): Promise<void> {
  const { live } = requireObservability(context);
  const { res } = context;
  if (res.destroyed) return;
  // The gateway's one SSE writer: headers now (nothing to wait for), keep-alive comments while the feed is idle.
  const sse = createSseResponse({ res, headerDeadlineMs: 0, keepAliveIntervalMs: context.gateway.keepAliveIntervalMs });
  sse.sendHeaders();
  const send = (event: string, data: unknown) => sse.write(encodeSseEvent({ event, data: JSON.stringify(data) }));
  send('snapshot', live.snapshot());
  await new Promise<void>((resolve) => {
    const unsubscribe = live.subscribe({
      snapshot: (value) => send('snapshot', value),
      activity: (item) => send('activity', item),
      end: () => sse.end(),
    });
    res.once('close', () => {
      sse.dispose();
      unsubscribe();
      resolve();
    });
  });
}
