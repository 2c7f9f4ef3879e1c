import { describe, expect, it } from 'vitest';
import { createHistogramTallies } from './create-histogram-tallies.js';
import { Histogram, Registry } from './prom-client-classes.js';

const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The same histogram twice in two registries: one fed by `observe` per value, one by tallies. */
function createPair() {
  const config = { name: 'itl_seconds', help: 'gaps', labelNames: ['route'], buckets };
  const observed = new Histogram({ ...config, registers: [new Registry()] });
  const tallied: ReturnType<typeof createTallied> = createTallied();
  function createTallied() {
    const registry = new Registry();
    const histogram: Histogram = new Histogram({
      ...config,
      registers: [registry],
      collect() {
        tallies.flush();
      },
    });
    const tallies = createHistogramTallies(histogram, buckets);
    return { registry, histogram, tallies };
  }
  return { observed, tallied };
}

/** Exposition lines, with each `_sum` rounded (the tallies add the same values in another grouping). */
async function exposition(histogram: Histogram): Promise<string[]> {
  const registry = new Registry();
  registry.registerMetric(histogram);
  const text = await registry.metrics();
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const match = /^(itl_seconds_sum\S*) (\S+)$/.exec(line);
      return match ? `${match[1]} ${Number(match[2]).toFixed(9)}` : line;
    });
}

describe('createHistogramTallies', () => {
  it('exposes what one observe per value exposes: buckets (edges included), +Inf, count, sum; per label set', async () => {
    const { observed, tallied } = createPair();
    const values = [0, 0.0005, 0.001, 0.0010001, 0.0025, 0.003, 0.01, 0.2, 0.25, 1, 2.5, 2.6, 30, 1e-9, 0.049999];
    const chat = tallied.tallies.tally({ route: '/v1/chat/completions' });
    const messages = tallied.tallies.tally({ route: '/v1/messages' });
    for (const [index, value] of values.entries()) {
      observed.observe({ route: '/v1/chat/completions' }, value);
      chat.observe(value);
      if (index % 3 === 0) {
        observed.observe({ route: '/v1/messages' }, value * 2);
        messages.observe(value * 2);
      }
    }
    expect(await exposition(tallied.histogram)).toEqual(await exposition(observed));
  });

  it('every read sees the values so far, and later values add to them (several flushes)', async () => {
    const { observed, tallied } = createPair();
    const first = tallied.tallies.tally({ route: '/v1/chat/completions' });
    // A second tally of the same series (another stream) adds to the same record.
    const second = tallied.tallies.tally({ route: '/v1/chat/completions' });
    for (let round = 0; round < 4; round++) {
      for (let index = 0; index < 50; index++) {
        const value = ((index * 7919 + round) % 1000) / 997;
        observed.observe({ route: '/v1/chat/completions' }, value);
        (index % 2 === 0 ? first : second).observe(value);
      }
      expect(await exposition(tallied.histogram)).toEqual(await exposition(observed));
    }
  });

  it('one value counted n times exposes what n observes of it expose', async () => {
    const { observed, tallied } = createPair();
    const chat = tallied.tallies.tally({ route: '/v1/chat/completions' });
    for (const [value, times] of [
      [0, 57],
      [0.003, 1],
      [0.2, 3],
      [30, 2],
    ] as const) {
      for (let index = 0; index < times; index++) observed.observe({ route: '/v1/chat/completions' }, value);
      chat.observe(value, times);
    }
    expect(await exposition(tallied.histogram)).toEqual(await exposition(observed));
  });

  it('a series with no values yet is not exposed, as with observe', async () => {
    const { observed, tallied } = createPair();
    tallied.tallies.tally({ route: '/v1/messages' });
    expect(await exposition(tallied.histogram)).toEqual(await exposition(observed));
    expect((await exposition(tallied.histogram)).some((line) => line.includes('/v1/messages'))).toBe(false);
  });
});
