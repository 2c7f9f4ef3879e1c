import { InvalidRequestError } from '../../core/errors/request-errors.js';
import { type UsageGroupBy, type UsageQuery, type UsageTotals, usageGroupings } from './usage-ledger.js';

/** A usage query as its caller spells it: query parameters of `GET /v1/usage` or flags of `circuit-breaker usage`. */
export interface RawUsageQuery {
  groupBy?: string | null;
  from?: string | null;
  to?: string | null;
}

/** How the caller names its inputs and reports a grouping it does not know (its own error type and wording). */
export interface ParseUsageQueryOptions {
  /** The names of `from` and `to` in error messages and `param` (`from` for the route, `--from` for the CLI). */
  names: { from: string; to: string };
  /** The error for an unknown grouping, given the allowed ones joined by `, `. */
  invalidGroupBy(choices: string): Error;
}

/**
 * Reads a usage query the one way the route and the CLI share: grouping (default `key`) checked against
 * {@link usageGroupings}, `from` (inclusive) and `to` (exclusive) as ISO date/date-time or epoch milliseconds.
 */
export function parseUsageQuery(raw: RawUsageQuery, options: ParseUsageQueryOptions): UsageQuery {
  const groupBy = (raw.groupBy ?? 'key') as UsageGroupBy;
  if (!usageGroupings.includes(groupBy)) throw options.invalidGroupBy(usageGroupings.join(', '));
  return {
    groupBy,
    from: parseUsageTime(raw.from, options.names.from),
    to: parseUsageTime(raw.to, options.names.to),
  };
}

/** An ISO date/date-time or epoch milliseconds → ms; undefined when absent. */
export function parseUsageTime(value: string | null | undefined, param: string): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const time = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(time)) {
    throw new InvalidRequestError(`${param} must be an ISO date (2025-06-01) or date-time, or epoch milliseconds.`, {
      param,
    });
  }
  return time;
}

/** The sum of every group's totals (the `total` of `GET /v1/usage`, the last line of the CLI table). */
export function sumUsageTotals(rows: readonly UsageTotals[]): Omit<UsageTotals, 'group'> {
  return rows.reduce(
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
}
