import { describe, expect, it } from 'vitest';
import { createKeyLimiter } from './create-key-limiter.js';
import { createMemoryLimitStore } from './create-memory-limit-store.js';
import { KeyLimitError } from './key-limit-error.js';
import { limitsConfigSchema } from './limits-config-schema.js';

const start = Date.UTC(2025, 5, 1, 12, 0, 0);

function setup(keys: Record<string, unknown>) {
  let now = start;
  const clock = () => now;
  const limiter = createKeyLimiter({
    config: limitsConfigSchema.parse({ keys }),
    store: createMemoryLimitStore(clock),
    now: clock,
  });
  return { limiter, advance: (ms: number) => (now += ms) };
}

const rejection = (promise: Promise<void>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as KeyLimitError,
  );

describe('createKeyLimiter', () => {
  it('slides the request window: the previous minute counts by the share still inside the last 60 s', async () => {
    const { limiter, advance } = setup({ a: { requests_per_minute: 2 } });
    await limiter.check('a');
    await limiter.check('a');
    const refused = await rejection(limiter.check('a'));
    expect(refused).toBeInstanceOf(KeyLimitError);
    expect(refused?.retryAfterMs).toBe(60_000);
    // 30 s into the next minute the two old requests weigh 1: one more fits, a second does not.
    advance(90_000);
    await limiter.check('a');
    const again = await rejection(limiter.check('a'));
    expect(again?.limit).toBe('requests_per_minute');
    expect(again?.retryAfterMs).toBe(30_000);
  });

  it('applies `*` to other keys, each counted separately', async () => {
    const { limiter } = setup({ '*': { requests_per_minute: 1 } });
    await limiter.check('x');
    await limiter.check('y');
    expect(await rejection(limiter.check('x'))).toBeInstanceOf(KeyLimitError);
  });

  it('admits while under tokens/minute and budget, refuses once the finished requests used them', async () => {
    const { limiter, advance } = setup({ a: { tokens_per_minute: 100, budget_usd: 1 } });
    await limiter.check('a');
    await limiter.record({ identity: 'a', promptTokens: 60, completionTokens: 40, costUsd: 0.5, time: start });
    expect((await rejection(limiter.check('a')))?.limit).toBe('tokens_per_minute');
    advance(120_000);
    await limiter.check('a');
    await limiter.record({ identity: 'a', promptTokens: 1, completionTokens: 1, costUsd: 0.6, time: start });
    const budget = await rejection(limiter.check('a'));
    expect(budget?.limit).toBe('budget_usd');
    expect(budget?.retryAfterMs).toBe(Date.UTC(2025, 5, 2) - (start + 120_000));
  });
});
