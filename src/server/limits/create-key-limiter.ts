import type { UsageRecord } from '../observability/usage-record.js';
import { KeyLimitError } from './key-limit-error.js';
import type { LimitStore, LimitWindow } from './limit-store.js';
import type { KeyLimits, LimitsConfig } from './limits-config-schema.js';

const minuteMs = 60_000;

/** Per-key rate limits and budgets in front of the router. */
export interface KeyLimiter {
  /** Whether any limit is configured (else `check` and `record` do nothing). */
  readonly enabled: boolean;
  /** Throws a {@link KeyLimitError} when the key is over a limit; counts the request against requests/minute. */
  check(identity: string): Promise<void>;
  /** Counts a finished request's tokens and cost. */
  record(
    record: Pick<UsageRecord, 'identity' | 'promptTokens' | 'completionTokens' | 'costUsd' | 'time'>,
  ): Promise<void>;
  /** The spend already in the current budget window (restart: seeded from the ledger). */
  seedSpend(identity: string, costUsd: number): Promise<void>;
  /** Where a key's budget window started, for seeding. */
  budgetWindowStart(identity: string): number | undefined;
}

/**
 * Requests and tokens per sliding minute (a two-window sliding counter: the previous minute weighted by how much of
 * it is still inside the last 60 s), and a spend budget per UTC day or month. The request slot is taken atomically
 * by the store; tokens and spend are known only afterwards, so those limits admit a request while the key is under
 * them and count it when it ends (one request can overshoot by its own size).
 */
export function createKeyLimiter(options: { config: LimitsConfig; store: LimitStore; now?: () => number }): KeyLimiter {
  const { config, store } = options;
  const now = options.now ?? Date.now;
  const limitsOf = (identity: string): KeyLimits | undefined => config.keys[identity] ?? config.keys['*'];
  const enabled = Object.keys(config.keys).length > 0;

  return {
    enabled,
    async check(identity) {
      const limits = limitsOf(identity);
      if (!limits) return;
      const time = now();
      if (limits.budget_usd !== undefined) {
        const window = budgetWindow(time, limits.budget_period);
        const [spent] = await store.read({ key: `budget:${identity}`, windows: [window] });
        if (spent >= limits.budget_usd) {
          throw new KeyLimitError(
            'budget_usd',
            window.expiresAt - time,
            `This key's budget of $${limits.budget_usd} per ${limits.budget_period} is spent ($${spent.toFixed(4)}); it resets at ${new Date(window.expiresAt).toISOString()}.`,
          );
        }
      }
      if (limits.tokens_per_minute !== undefined) {
        const windows = slidingMinute(time);
        const counts = await store.read({ key: `tpm:${identity}`, windows });
        if (weighted(counts, windows) >= limits.tokens_per_minute) {
          throw new KeyLimitError(
            'tokens_per_minute',
            waitForRoom({ counts, windows, limit: limits.tokens_per_minute, amount: 0, time }),
            `This key is over its limit of ${limits.tokens_per_minute} tokens per minute.`,
          );
        }
      }
      if (limits.requests_per_minute !== undefined) {
        const windows = slidingMinute(time);
        const result = await store.consume({
          key: `rpm:${identity}`,
          windows,
          amount: 1,
          limit: limits.requests_per_minute,
        });
        if (!result.allowed) {
          throw new KeyLimitError(
            'requests_per_minute',
            waitForRoom({ counts: result.counts, windows, limit: limits.requests_per_minute, amount: 1, time }),
            `This key is over its limit of ${limits.requests_per_minute} requests per minute.`,
          );
        }
      }
    },
    async record(record) {
      const limits = limitsOf(record.identity);
      if (!limits) return;
      const time = now();
      const tokens = record.promptTokens + record.completionTokens;
      if (limits.tokens_per_minute !== undefined && tokens > 0) {
        await store.add({ key: `tpm:${record.identity}`, window: slidingMinute(time)[0], amount: tokens });
      }
      if (limits.budget_usd !== undefined && record.costUsd > 0) {
        await store.add({
          key: `budget:${record.identity}`,
          window: budgetWindow(time, limits.budget_period),
          amount: record.costUsd,
        });
      }
    },
    async seedSpend(identity, costUsd) {
      const limits = limitsOf(identity);
      if (limits?.budget_usd === undefined || costUsd <= 0) return;
      await store.add({
        key: `budget:${identity}`,
        window: budgetWindow(now(), limits.budget_period),
        amount: costUsd,
      });
    },
    budgetWindowStart(identity) {
      const limits = limitsOf(identity);
      return limits?.budget_usd === undefined ? undefined : budgetWindow(now(), limits.budget_period).start;
    },
  };
}

/** The current minute (weight 1) and the previous one, weighted by the part still inside the last 60 s. */
function slidingMinute(time: number): LimitWindow[] {
  const start = Math.floor(time / minuteMs) * minuteMs;
  const elapsed = (time - start) / minuteMs;
  return [
    { start, expiresAt: start + 2 * minuteMs, weight: 1 },
    { start: start - minuteMs, expiresAt: start + minuteMs, weight: 1 - elapsed },
  ];
}

function budgetWindow(time: number, period: 'day' | 'month'): LimitWindow {
  const date = new Date(time);
  if (period === 'day') {
    const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
    return { start, expiresAt: start + 86_400_000, weight: 1 };
  }
  const start = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  return { start, expiresAt: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1), weight: 1 };
}

function weighted(counts: readonly number[], windows: readonly LimitWindow[]): number {
  return counts.reduce((sum, count, index) => sum + count * windows[index].weight, 0);
}

/**
 * How long until `amount` more fits: the current minute alone at the limit waits for the next minute; otherwise the
 * previous minute's weight must fall until `previous × weight + current + amount` fits.
 */
function waitForRoom(options: {
  counts: readonly number[];
  windows: readonly LimitWindow[];
  limit: number;
  amount: number;
  time: number;
}): number {
  const { counts, windows, limit, amount, time } = options;
  const [current, previous] = counts;
  const windowEnd = windows[0].start + minuteMs;
  const room = limit - current - amount;
  if (room < 0 || previous <= 0) return Math.max(1, windowEnd - time);
  // previous × (1 - (t - start)/minute) ≤ room  ⇔  t ≥ start + minute × (1 - room / previous)
  const at = windows[0].start + minuteMs * (1 - Math.min(1, room / previous));
  return Math.max(1, Math.ceil(at - time));
}
