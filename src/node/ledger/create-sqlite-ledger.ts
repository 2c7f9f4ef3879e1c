import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type Database from 'better-sqlite3';
import type { UsageLedger } from '../../server/observability/usage-ledger.js';
import type { UsageRecord } from '../../server/observability/usage-record.js';
import { createUsageTableSql, queryUsageTotals } from './ledger-schema.js';

export interface SqliteLedgerOptions {
  /** The database file (created with its folder); `:memory:` for tests. */
  path: string;
  /** Longest a row waits before it is written. Default 1000 ms. */
  batchMs?: number;
  /** Rows that trigger a write at once. Default 200. */
  batchSize?: number;
  /** Called when a batch cannot be written (disk full, …); the rows are dropped so memory stays bounded. */
  onError?: (error: unknown, droppedRows: number) => void;
}

/**
 * The usage ledger on SQLite (better-sqlite3, WAL). `record` only appends to an in-memory batch; a timer (every
 * `batchMs`) and the batch size trigger one transaction that inserts the whole batch, on a later tick, so a request
 * never waits for the disk. A crash loses the rows of the batch not yet written, and nothing else: WAL commits are
 * durable once the transaction returns (synchronous=NORMAL keeps them across a process crash; a power cut may lose
 * the last commits too).
 *
 * The database is opened on first use (the first batch written, the first query): better-sqlite3 and SQLite's
 * cache are ~3 MB of a gateway's ~70 MB idle RSS, and a gateway that serves nothing writes nothing. Its folder is
 * made at once, so a path that cannot be created still fails at startup.
 * @see https://www.sqlite.org/wal.html
 */
export function createSqliteLedger(options: SqliteLedgerOptions): UsageLedger {
  if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
  const batchSize = options.batchSize ?? 200;
  let opened: { db: Database.Database; insertBatch: (rows: UsageRecord[]) => void } | undefined;

  const open = () => {
    if (opened) return opened;
    const Sqlite = createRequire(import.meta.url)('better-sqlite3') as typeof Database;
    const db = new Sqlite(options.path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.exec(createUsageTableSql);
    const insert = db.prepare(`INSERT INTO usage (time, request_id, identity, route, model, deployment, stream,
      prompt_tokens, completion_tokens, cost_usd, ttft_ms, duration_ms, outcome, status, partial, estimated, failover,
      hedged, error_code) VALUES (@time, @requestId, @identity, @route, @model, @deployment, @stream, @promptTokens,
      @completionTokens, @costUsd, @ttftMs, @durationMs, @outcome, @status, @partial, @estimated, @failover, @hedged,
      @errorCode)`);
    const insertBatch = db.transaction((rows: UsageRecord[]) => {
      for (const row of rows) {
        insert.run({
          ...row,
          stream: row.stream ? 1 : 0,
          partial: row.partial ? 1 : 0,
          estimated: row.estimated ? 1 : 0,
          failover: row.failover ? 1 : 0,
          hedged: row.hedged ? 1 : 0,
        });
      }
    });
    opened = { db, insertBatch };
    return opened;
  };
  let batch: UsageRecord[] = [];
  let scheduled = false;
  let closed = false;

  const flushNow = () => {
    scheduled = false;
    if (batch.length === 0 || closed) return;
    const rows = batch;
    batch = [];
    try {
      open().insertBatch(rows);
    } catch (error) {
      options.onError?.(error, rows.length);
    }
  };
  const timer = setInterval(flushNow, options.batchMs ?? 1000);
  timer.unref();

  return {
    record(row) {
      if (closed) return;
      batch.push(row);
      if (batch.length >= batchSize && !scheduled) {
        scheduled = true;
        // Off the request's tick: the write happens after the current callbacks.
        setImmediate(flushNow);
      }
    },
    async totals(query) {
      flushNow();
      return queryUsageTotals(open().db, query);
    },
    async flush() {
      flushNow();
    },
    async close() {
      if (closed) return;
      clearInterval(timer);
      flushNow();
      closed = true;
      opened?.db.close();
    },
  };
}
