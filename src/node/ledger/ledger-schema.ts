import type Database from 'better-sqlite3';
import type { UsageQuery, UsageTotals } from '../../server/observability/usage-ledger.js';

/** The usage table. Times are ms since the epoch (request start); flags are 0/1. */
export const createUsageTableSql = `
CREATE TABLE IF NOT EXISTS usage (
  id INTEGER PRIMARY KEY,
  time INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  identity TEXT NOT NULL,
  route TEXT NOT NULL,
  model TEXT NOT NULL,
  deployment TEXT,
  stream INTEGER NOT NULL,
  prompt_tokens INTEGER NOT NULL,
  completion_tokens INTEGER NOT NULL,
  cost_usd REAL NOT NULL,
  ttft_ms REAL,
  duration_ms REAL NOT NULL,
  outcome TEXT NOT NULL,
  status INTEGER NOT NULL,
  partial INTEGER NOT NULL,
  estimated INTEGER NOT NULL,
  failover INTEGER NOT NULL,
  hedged INTEGER NOT NULL,
  error_code TEXT
);
CREATE INDEX IF NOT EXISTS usage_time ON usage (time);
`;

const groupExpressions: Readonly<Record<UsageQuery['groupBy'], string>> = {
  key: 'identity',
  model: 'model',
  deployment: "COALESCE(deployment, '(none)')",
  day: "strftime('%Y-%m-%d', time / 1000, 'unixepoch')",
};

/** Totals per group over `[from, to)`, largest cost first (days in order). */
export function queryUsageTotals(db: Database.Database, query: UsageQuery): UsageTotals[] {
  const group = groupExpressions[query.groupBy];
  const order = query.groupBy === 'day' ? 'grp ASC' : 'cost_usd DESC, requests DESC, grp ASC';
  const statement = db.prepare(`
    SELECT ${group} AS grp, COUNT(*) AS requests, SUM(prompt_tokens) AS prompt_tokens,
      SUM(completion_tokens) AS completion_tokens, SUM(cost_usd) AS cost_usd,
      SUM(outcome = 'error') AS errors, SUM(partial) AS partial
    FROM usage WHERE time >= ? AND time < ? GROUP BY grp ORDER BY ${order}`);
  const rows = statement.all(query.from ?? 0, query.to ?? Number.MAX_SAFE_INTEGER) as {
    grp: string;
    requests: number;
    prompt_tokens: number;
    completion_tokens: number;
    cost_usd: number;
    errors: number;
    partial: number;
  }[];
  return rows.map((row) => ({
    group: row.grp,
    requests: row.requests,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    costUsd: Math.round(row.cost_usd * 1e8) / 1e8,
    errors: row.errors,
    partial: row.partial,
  }));
}
