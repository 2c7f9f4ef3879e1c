import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * After 10,000 sessions have completed and expired, the heap and the handles are back to their baseline. The run
 * happens in a child process (sessions-leak-run.ts) started with `--expose-gc`, so the heap is compared after real
 * collections. Tolerance: 4 MiB of heap (400 bytes per session: a leaked session with its buffered events is
 * several kilobytes, so a leak of even one in ten shows) and no more handles of any kind than at the baseline.
 */

interface LeakResult {
  sessions: number;
  durationMs: number;
  heapGrowthBytes: number;
  baselineResources: Record<string, number>;
  afterResources: Record<string, number>;
  sessionsHeld: number;
}

const heapToleranceBytes = 4 * 1024 * 1024;

describe('session leaks', () => {
  it('10,000 completed and expired sessions leave heap and handles at the baseline', async () => {
    const script = fileURLToPath(new URL('./sessions-leak-run.ts', import.meta.url));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', script, '10000'],
      {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        timeout: 110_000,
      },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as LeakResult;
    console.info(`session leak run: ${JSON.stringify(result)}`);
    expect(result.sessionsHeld).toBe(0);
    expect(result.heapGrowthBytes).toBeLessThan(heapToleranceBytes);
    for (const [name, count] of Object.entries(result.afterResources)) {
      expect(count, name).toBeLessThanOrEqual(result.baselineResources[name] ?? 0);
    }
  }, 120_000);
});
