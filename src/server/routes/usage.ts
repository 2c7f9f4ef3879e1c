import { InvalidRequestError } from '../../core/errors/request-errors.js';
import { RouteNotFoundError } from '../errors/gateway-errors.js';
import { requireObservability } from '../observability/require-observability.js';
import { type UsageGroupBy, usageGroupings } from '../observability/usage-ledger.js';
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
  const groupBy = (params.get('group_by') ?? 'key') as UsageGroupBy;
  if (!usageGroupings.includes(groupBy)) {
    throw new InvalidRequestError(`group_by must be one of ${usageGroupings.join(', ')}.`, { param: 'group_by' });
  }
  const from = parseTime(params.get('from'), 'from');
  const to = parseTime(params.get('to'), 'to');
  const rows = await ledger.totals({ groupBy, from, to });
  const total = rows.reduce(
    (sum, row) => ({
      requests: sum.requests + row.requests,
      promptTokens: sum.promptTokens + row.promptTokens,
      completionTokens: sum.completionTokens + row.completionTokens,
      costUsd: sum.costUsd + row.costUsd,
      errors: sum.errors + row.errors,
      partial: sum.partial + row.partial,
    }),
    { requests: 0, promptTokens: 0, completionTokens: 0, costUsd: 0, errors: 0, partial: 0 },
  );
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

/** An ISO date/date-time or epoch milliseconds → ms; undefined when absent. */
export function parseTime(value: string | null, param: string): number | undefined {
  if (value === null || value === '') return undefined;
  const time = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(time)) {
    throw new InvalidRequestError(`${param} must be an ISO date (2025-06-01) or date-time, or epoch milliseconds.`, {
      param,
    });
  }
  return time;
}
