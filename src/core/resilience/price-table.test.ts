import { describe, expect, it } from 'vitest';
import { defaultPriceTable, estimateCost, lookupPrice } from './price-table.js';

describe('lookupPrice', () => {
  it('finds exact names', () => {
    expect(lookupPrice('gpt-4o')).toEqual({ inputPerMillion: 2.5, outputPerMillion: 10 });
    expect(lookupPrice('claude-sonnet-4-5')).toEqual({ inputPerMillion: 3, outputPerMillion: 15 });
  });

  it('finds dated snapshots by their family, longest prefix first', () => {
    expect(lookupPrice('gpt-4o-2024-08-06')).toBe(defaultPriceTable['gpt-4o']);
    expect(lookupPrice('gpt-4o-mini-2024-07-18')).toBe(defaultPriceTable['gpt-4o-mini']);
    expect(lookupPrice('claude-sonnet-4-5-20250929')).toBe(defaultPriceTable['claude-sonnet-4-5']);
    expect(lookupPrice('gpt-4.1-mini')).toBe(defaultPriceTable['gpt-4.1-mini']);
    expect(lookupPrice('gemini-2.5-flash-lite')).toBe(defaultPriceTable['gemini-2.5-flash-lite']);
  });

  it('ignores a provider prefix and does not match across a non-boundary', () => {
    expect(lookupPrice('openai/gpt-4o')).toBe(defaultPriceTable['gpt-4o']);
    expect(lookupPrice('gpt-4omega')).toBeUndefined();
    expect(lookupPrice('my-fine-tune')).toBeUndefined();
  });

  it('prefers overrides and makes simulator models free', () => {
    expect(lookupPrice('gpt-4o', { 'gpt-4o': { inputPerMillion: 1, outputPerMillion: 2 } })).toEqual({
      inputPerMillion: 1,
      outputPerMillion: 2,
    });
    expect(lookupPrice('sim-fast')).toEqual({ inputPerMillion: 0, outputPerMillion: 0 });
  });
});

describe('estimateCost', () => {
  it('prices input and output tokens per million', () => {
    const cost = estimateCost({ prompt_tokens: 1_000_000, completion_tokens: 500_000 }, lookupPrice('gpt-4o')!);
    expect(cost).toBeCloseTo(7.5, 10);
    expect(estimateCost({ prompt_tokens: 1000, completion_tokens: 1000 }, lookupPrice('sim-x')!)).toBe(0);
  });
});
