import { getPriority } from 'node:os';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  countTextTokens,
  isTokenCounterRunning,
  nextIdleExitMs,
  stopTokenCounter,
  tokenCounterPid,
} from './count-tokens.js';

describe('countTextTokens', () => {
  afterAll(() => stopTokenCounter());

  it('counts in a child process without blocking the event loop', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const counts = await Promise.all([countTextTokens('hello world'), countTextTokens(''), countTextTokens('a b c d')]);
    clearInterval(ticker);
    expect(counts[0]).toBe(2);
    expect(counts[1]).toBe(0);
    expect(counts[2]).toBeGreaterThanOrEqual(4);
    // The gateway's event loop kept turning while the counter loaded its tables.
    expect(ticks).toBeGreaterThan(2);
  });

  it('gives each text of one turn its own count (they travel as one batch)', async () => {
    const texts = Array.from({ length: 50 }, (_, index) => Array.from({ length: index + 1 }, () => 'word').join(' '));
    const together = await Promise.all(texts.map((text) => countTextTokens(text)));
    const oneByOne: number[] = [];
    for (const text of texts.slice(0, 5)) oneByOne.push(await countTextTokens(text));
    expect(together.slice(0, 5)).toEqual(oneByOne);
    expect(together).toEqual(texts.map((_, index) => index + 1));
  });

  it('runs the counter at the lowest CPU priority, the gateway at its own', async () => {
    const own = getPriority();
    expect(await countTextTokens('hello world')).toBe(2);
    const pid = tokenCounterPid();
    expect(pid).toBeGreaterThan(0);
    expect(getPriority(pid)).toBe(19);
    expect(getPriority()).toBe(own);
  });

  it('starts a counter only once counts stop coming for 100 ms, or at the latest 1 s after the first', async () => {
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const burst = async (texts: number, everyMs: number) => {
      const counts: Promise<number>[] = [];
      for (let index = 0; index < texts; index++) {
        counts.push(countTextTokens(Array.from({ length: index + 1 }, () => 'word').join(' ')));
        await sleep(everyMs);
      }
      return counts;
    };
    await stopTokenCounter();
    const quick = await burst(8, 20);
    // A burst of cuts: no process forked while it lasts.
    expect(isTokenCounterRunning()).toBe(false);
    expect(await Promise.all(quick)).toEqual(quick.map((_, index) => index + 1));
    expect(isTokenCounterRunning()).toBe(true);

    await stopTokenCounter();
    const startedAt = Date.now();
    const steady = await burst(40, 40);
    // Counts that never stop coming still get a counter within the second (and then go to it at once). The
    // premise: the counts kept coming for longer than that.
    expect(Date.now() - startedAt).toBeGreaterThan(1_200);
    expect(isTokenCounterRunning()).toBe(true);
    expect(await Promise.all(steady)).toEqual(steady.map((_, index) => index + 1));
  });

  it('stops the counter after it was idle for a while, and starts a new one for the next count', async () => {
    await stopTokenCounter();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    // A counter is started once counts stop coming for 100 ms (a faked timer here), after this turn's batch.
    const countNow = async (text: string) => {
      const count = countTextTokens(text);
      await new Promise((resolve) => setImmediate(resolve));
      vi.advanceTimersByTime(100);
      return count;
    };
    try {
      expect(await countNow('hello world')).toBe(2);
      expect(isTokenCounterRunning()).toBe(true);
      vi.advanceTimersByTime(4_900);
      expect(isTokenCounterRunning()).toBe(true);
      vi.advanceTimersByTime(200);
      expect(isTokenCounterRunning()).toBe(false);
      expect(await countNow('a b c d')).toBeGreaterThanOrEqual(4);
      expect(isTokenCounterRunning()).toBe(true);
      // Needed again right after an idle exit: this one waits twice as long.
      vi.advanceTimersByTime(5_100);
      expect(isTokenCounterRunning()).toBe(true);
      vi.advanceTimersByTime(5_000);
      expect(isTokenCounterRunning()).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('nextIdleExitMs', () => {
  it('is quick for a first counter and after a quiet minute', () => {
    expect(nextIdleExitMs(undefined, 0)).toBe(5_000);
    expect(nextIdleExitMs({ idleExitMs: 40_000, at: 0 }, 60_000)).toBe(5_000);
  });

  it('doubles, up to a minute, for a counter needed again soon after the last exit', () => {
    expect(nextIdleExitMs({ idleExitMs: 5_000, at: 0 }, 1_000)).toBe(10_000);
    expect(nextIdleExitMs({ idleExitMs: 40_000, at: 0 }, 59_000)).toBe(60_000);
    expect(nextIdleExitMs({ idleExitMs: 60_000, at: 0 }, 1_000)).toBe(60_000);
  });
});
