import { afterAll, describe, expect, it } from 'vitest';
import { countTextTokens, stopTokenCounter } from './count-tokens.js';

describe('countTextTokens', () => {
  afterAll(() => stopTokenCounter());

  it('counts in a worker thread without blocking the event loop', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const counts = await Promise.all([countTextTokens('hello world'), countTextTokens(''), countTextTokens('a b c d')]);
    clearInterval(ticker);
    expect(counts[0]).toBe(2);
    expect(counts[1]).toBe(0);
    expect(counts[2]).toBeGreaterThanOrEqual(4);
    // The main thread kept turning while the worker loaded its tables.
    expect(ticks).toBeGreaterThan(2);
  });
});
