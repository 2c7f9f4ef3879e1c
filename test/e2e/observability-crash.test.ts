import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openAIBody } from './observability-harness.js';

/**
 * A crash loses at most the last batch: a gateway under load is killed with SIGKILL (no flush, no shutdown), then
 * the rows on disk are compared with the requests that had completed. The figure goes to test-output/ and
 * docs/observability.md.
 */

const batchMs = 1000;
const batchSize = 50;
const concurrency = 8;
let child: ChildProcess | undefined;

afterAll(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

async function startChild(path: string): Promise<string> {
  child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'observability-crash-child.ts'),
      path,
      String(batchMs),
      String(batchSize),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  for await (const chunk of child.stdout!) {
    output += chunk;
    const line = output.indexOf('\n');
    if (line !== -1) return (JSON.parse(output.slice(0, line)) as { url: string }).url;
  }
  throw new Error('the child exited before listening');
}

describe('ledger crash loss', () => {
  it('SIGKILL mid-load loses at most the rows of the unflushed batch', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cb-crash-')), 'ledger.sqlite');
    const url = await startChild(path);
    let completed = 0;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const response = await fetch(`${url}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(openAIBody('duo', false)),
          });
          await response.text();
          if (response.status === 200 && !stop) completed++;
        } catch {
          return;
        }
      }
    };
    const workers = Array.from({ length: concurrency }, worker);
    // Several size flushes, then kill between two of them (130 is not a multiple of the batch size).
    const deadline = Date.now() + 20_000;
    while (completed < 130 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    stop = true;
    const completedAtKill = completed;
    child!.kill('SIGKILL');
    await Promise.all(workers);
    const db = new Database(path, { readonly: true });
    const { rows } = db.prepare('SELECT COUNT(*) AS rows FROM usage').get() as { rows: number };
    db.close();
    const lost = completedAtKill - rows;
    const figure = { completed: completedAtKill, rowsOnDisk: rows, lost, batchMs, batchSize, concurrency };
    mkdirSync('test-output', { recursive: true });
    writeFileSync('test-output/ledger-crash.json', `${JSON.stringify(figure, null, 2)}\n`);
    console.log('ledger crash loss:', figure);
    expect(completedAtKill).toBeGreaterThan(batchSize);
    expect(rows).toBeGreaterThan(0);
    // At most one batch (size flush) plus the requests in flight when it was cut.
    expect(lost).toBeLessThanOrEqual(batchSize + concurrency);
  }, 30_000);
});
