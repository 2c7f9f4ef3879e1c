import { describe, expect, it } from 'vitest';
import { computeRetryDelay, defaultRetryConfig, sleep } from './backoff.js';
import { createManualClock } from './create-manual-clock.js';
import { createSeededRandom } from './seeded-random.js';

const base = { baseDelayMs: 200, maxDelayMs: 5000 };

describe('computeRetryDelay', () => {
  it('draws full jitter within [0, min(max, base·2^(attempt−1)))', () => {
    const random = createSeededRandom(42);
    for (let attempt = 1; attempt <= 8; attempt++) {
      const ceiling = Math.min(5000, 200 * 2 ** (attempt - 1));
      const delays = Array.from({ length: 200 }, () => computeRetryDelay({ ...base, attempt, random }));
      for (const delay of delays) {
        expect(delay.moveOn).toBe(false);
        if (!delay.moveOn) {
          expect(delay.delayMs).toBeGreaterThanOrEqual(0);
          expect(delay.delayMs).toBeLessThan(ceiling);
        }
      }
      // Full jitter spreads over the whole range, not just near the ceiling.
      const values = delays.map((d) => (d.moveOn ? 0 : d.delayMs));
      expect(Math.min(...values)).toBeLessThan(ceiling * 0.1);
      expect(Math.max(...values)).toBeGreaterThan(ceiling * 0.9);
    }
  });

  it('is exact at the edges of the random source', () => {
    expect(computeRetryDelay({ ...base, attempt: 3, random: () => 0 })).toEqual({ moveOn: false, delayMs: 0 });
    expect(computeRetryDelay({ ...base, attempt: 3, random: () => 0.999999 })).toEqual({ moveOn: false, delayMs: 799 });
  });

  it('waits at least the retry-after', () => {
    expect(computeRetryDelay({ ...base, attempt: 1, retryAfterMs: 3000, random: () => 0.5 })).toEqual({
      moveOn: false,
      delayMs: 3000,
    });
    expect(computeRetryDelay({ ...base, attempt: 5, retryAfterMs: 100, random: () => 0.5 })).toEqual({
      moveOn: false,
      delayMs: 1600,
    });
  });

  it('moves on when the retry-after is longer than max_delay_ms', () => {
    expect(computeRetryDelay({ ...base, attempt: 1, retryAfterMs: 5001 })).toEqual({ moveOn: true });
    expect(computeRetryDelay({ ...base, attempt: 1, retryAfterMs: 5000, random: () => 0 })).toEqual({
      moveOn: false,
      delayMs: 5000,
    });
  });

  it('has the documented defaults', () => {
    expect(defaultRetryConfig).toEqual({ attempts: 2, baseDelayMs: 200, maxDelayMs: 5000 });
  });
});

describe('sleep', () => {
  it('resolves when the clock reaches the delay', async () => {
    const clock = createManualClock();
    let done = false;
    const sleeping = sleep(100, { clock }).then(() => {
      done = true;
    });
    clock.advance(99);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await sleeping;
    expect(done).toBe(true);
  });

  it("rejects with the signal's reason on abort and clears its timer", async () => {
    const clock = createManualClock();
    const controller = new AbortController();
    const sleeping = sleep(1000, { clock, signal: controller.signal });
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects at once when already aborted', async () => {
    const clock = createManualClock();
    const reason = new Error('gone');
    await expect(sleep(1000, { clock, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(clock.pendingTimers()).toBe(0);
  });
});
