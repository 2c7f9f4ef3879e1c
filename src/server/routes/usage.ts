import { InvalidRequestError } from '../../core/errors/request-errors.js';
import { RouteNotFoundError } from '../errors/gateway-errors.js';
import { requireObservability } from '../observability/require-observability.js';
import { parseUsageQuery, sumUsageTotals } from '../observability/usage-query.js';
import type { RequestContext } from '../request-context.js';
import { sendJson } from '../send-json.js';

/**
 * `GET /v1/usage?group_by=key|model|deployment|day&from=&to=`: usage totals from the ledger. `from` (inclusive) and
 * `to` (exclusive) take an ISO date or date-time (`2025-06-01`, `2025-06-01T12:00:00Z`) or ms since the epoch.
 */
export async function handleUsage(context: RequestContext): Promise<void> {
  const { ledger } = requireObservability(context);
  if (!ledger) throw new RouteNotFoundError('/v1/usage (the usage ledger is off)');
  const params = new URL(context.req.url ?? '/', 'http://gateway').searchParams;
  const { groupBy, from, to } = parseUsageQuery(
    { groupBy: params.get('group_by'), from: params.get('from'), to: params.get('to') },
    {
      names: { from: 'from', to: 'to' },
      invalidGroupBy: (choices) =>
        new InvalidRequestError(`group_by must be one of ${choices}.`, { param: 'group_by' }),
    },
  );
  const rows = await ledger.totals({ groupBy, from, to });
  const total = sumUsageTotals(rows);
  await sendJson(context.res, {
    status: 200,
    body: {
      object: 'usage',
      group_by: groupBy,
      from: from === undefined ? null : new Date(from).toISOString(),
      to: to === undefined ? null : new Date(to).toISOString(),
      data: rows,
      total,
    },
    acceptEncoding: context.req.headers['accept-encoding'],
  });
}
