import type { UsageRecord } from './usage-record.js';

/** What usage totals can be grouped by: gateway key identity, requested model, serving deployment, UTC day. */
export type UsageGroupBy = 'key' | 'model' | 'deployment' | 'day';
export const usageGroupings: readonly UsageGroupBy[] = ['key', 'model', 'deployment', 'day'];

/** A usage query: `from` inclusive, `to` exclusive, ms since the epoch (request start times). */
export interface UsageQuery {
  groupBy: UsageGroupBy;
  from?: number;
  to?: number;
}

/** One group's totals. */
export interface UsageTotals {
  group: string;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  errors: number;
  partial: number;
}

/**
 * Where usage rows go. `record` must return at once (it is called as a request ends): an implementation buffers
 * and writes in batches. The SQLite implementation is `createSqliteLedger` in src/node/ledger.
 */
export interface UsageLedger {
  record(row: UsageRecord): void;
  /** Totals over the rows written so far (pending rows are flushed first). */
  totals(query: UsageQuery): Promise<UsageTotals[]>;
  /** Writes every pending row now. */
  flush(): Promise<void>;
  /** Flushes, then releases the store. */
  close(): Promise<void>;
}
