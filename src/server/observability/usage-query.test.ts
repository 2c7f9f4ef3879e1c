import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../core/errors/request-errors.js';
import { parseUsageQuery, sumUsageTotals } from './usage-query.js';

const options = {
  names: { from: 'from', to: 'to' },
  invalidGroupBy: (choices: string) => new Error(`group by one of ${choices}`),
};

describe('parseUsageQuery', () => {
  it('defaults to key and reads ISO dates and epoch milliseconds', () => {
    expect(parseUsageQuery({ from: '2025-06-01', to: '1748822400000' }, options)).toEqual({
      groupBy: 'key',
      from: Date.parse('2025-06-01'),
      to: 1748822400000,
    });
    expect(parseUsageQuery({ groupBy: 'day', from: null, to: '' }, options)).toEqual({ groupBy: 'day' });
  });

  it("throws the caller's error for an unknown grouping and a coded one for a bad time", () => {
    expect(() => parseUsageQuery({ groupBy: 'colour' }, options)).toThrow(
      'group by one of key, model, deployment, day',
    );
    const error = (() => {
      try {
        parseUsageQuery({ from: 'yesterday' }, { ...options, names: { from: '--from', to: '--to' } });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).message).toContain('--from must be an ISO date');
  });
});

describe('sumUsageTotals', () => {
  it('adds every column', () => {
    const row = { group: 'a', requests: 1, promptTokens: 2, completionTokens: 3, costUsd: 0.5, errors: 1, partial: 0 };
    expect(sumUsageTotals([row, { ...row, group: 'b', partial: 1 }])).toEqual({
      requests: 2,
      promptTokens: 4,
      completionTokens: 6,
      costUsd: 1,
      errors: 2,
      partial: 1,
    });
  });
});
