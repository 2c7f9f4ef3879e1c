import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../server/observability/usage-record.js';
import { createSqliteLedger } from './create-sqlite-ledger.js';

const row: UsageRecord = {
  time: Date.UTC(2026, 10, 25),
  requestId: 'req_1',
  identity: 'team-a',
  route: '/v1/chat/completions',
  model: 'sim/sim-alpha',
  deployment: 'sim/sim-alpha',
  stream: true,
  promptTokens: 12,
  completionTokens: 30,
  costUsd: 0,
  ttftMs: 4,
  durationMs: 90,
  outcome: 'success',
  status: 200,
  partial: false,
  estimated: false,
  failover: false,
  hedged: false,
  errorCode: null,
};

describe('createSqliteLedger', () => {
  it('makes its folder at once but opens the database only when a batch is written', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cb-ledger-unit-')), 'nested', 'ledger.sqlite');
    const ledger = createSqliteLedger({ path, batchMs: 60_000 });
    expect(existsSync(join(path, '..'))).toBe(true);
    expect(existsSync(path)).toBe(false);
    ledger.record(row);
    expect(existsSync(path)).toBe(false);
    await ledger.flush();
    expect(existsSync(path)).toBe(true);
    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare('SELECT request_id, completion_tokens, stream FROM usage').all()).toEqual([
        { request_id: 'req_1', completion_tokens: 30, stream: 1 },
      ]);
    } finally {
      db.close();
    }
    await ledger.close();
  });

  it('answers a query before any write, and closes without ever opening', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cb-ledger-unit-')), 'ledger.sqlite');
    const unused = createSqliteLedger({ path });
    await unused.close();
    expect(existsSync(path)).toBe(false);
    const ledger = createSqliteLedger({ path });
    expect(await ledger.totals({ groupBy: 'key' })).toEqual([]);
    await ledger.close();
  });
});
