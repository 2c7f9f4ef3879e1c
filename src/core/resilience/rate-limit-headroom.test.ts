import { describe, expect, it } from 'vitest';
import { isNearRateLimit, readRateLimitHeadroom } from './rate-limit-headroom.js';

const now = Date.parse('2025-06-01T12:00:00Z');

describe('readRateLimitHeadroom', () => {
  it('reads OpenAI x-ratelimit-* headers, with Go-style reset durations', () => {
    const headers = new Headers({
      'x-ratelimit-limit-requests': '10000',
      'x-ratelimit-limit-tokens': '2000000',
      'x-ratelimit-remaining-requests': '9999',
      'x-ratelimit-remaining-tokens': '1999500',
      'x-ratelimit-reset-requests': '6ms',
      'x-ratelimit-reset-tokens': '1m30.5s',
    });
    expect(readRateLimitHeadroom(headers, now)).toEqual({
      limitRequests: 10000,
      limitTokens: 2000000,
      remainingRequests: 9999,
      remainingTokens: 1999500,
      resetRequestsMs: 6,
      resetTokensMs: 90_500,
    });
  });

  it('reads Anthropic anthropic-ratelimit-* headers, with RFC 3339 resets', () => {
    const headers = new Headers({
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '49',
      'anthropic-ratelimit-requests-reset': '2025-06-01T12:00:01Z',
      'anthropic-ratelimit-tokens-limit': '100000',
      'anthropic-ratelimit-tokens-remaining': '3000',
      'anthropic-ratelimit-tokens-reset': '2025-06-01T12:00:30Z',
    });
    expect(readRateLimitHeadroom(headers, now)).toEqual({
      limitRequests: 50,
      remainingRequests: 49,
      resetRequestsMs: 1000,
      limitTokens: 100000,
      remainingTokens: 3000,
      resetTokensMs: 30_000,
    });
  });

  it('falls back to Anthropic input-token limits when there is no combined one', () => {
    const headers = new Headers({
      'anthropic-ratelimit-input-tokens-limit': '40000',
      'anthropic-ratelimit-input-tokens-remaining': '100',
    });
    expect(readRateLimitHeadroom(headers, now)).toEqual({ limitTokens: 40000, remainingTokens: 100 });
  });

  it('returns an empty reading without headers and ignores garbage', () => {
    expect(readRateLimitHeadroom(new Headers(), now)).toEqual({});
    expect(
      readRateLimitHeadroom(
        new Headers({ 'x-ratelimit-remaining-requests': 'lots', 'x-ratelimit-reset-tokens': 'soon' }),
        now,
      ),
    ).toEqual({});
  });
});

describe('isNearRateLimit', () => {
  it('is true under 5 % of either limit', () => {
    expect(isNearRateLimit({ limitRequests: 100, remainingRequests: 4 })).toBe(true);
    expect(isNearRateLimit({ limitRequests: 100, remainingRequests: 5 })).toBe(false);
    expect(
      isNearRateLimit({ limitTokens: 100_000, remainingTokens: 3000, remainingRequests: 50, limitRequests: 50 }),
    ).toBe(true);
    expect(isNearRateLimit({ limitRequests: 100, remainingRequests: 20 }, { threshold: 0.25 })).toBe(true);
  });

  it('without a limit, only an exhausted one counts', () => {
    expect(isNearRateLimit({ remainingRequests: 0 })).toBe(true);
    expect(isNearRateLimit({ remainingRequests: 1 })).toBe(false);
    expect(isNearRateLimit({})).toBe(false);
    expect(isNearRateLimit(null)).toBe(false);
  });

  it('stops counting once the reading is past its reset', () => {
    const reading = { limitRequests: 100, remainingRequests: 0, resetRequestsMs: 2000, observedAt: 10_000 };
    expect(isNearRateLimit(reading, { now: 11_999 })).toBe(true);
    expect(isNearRateLimit(reading, { now: 12_000 })).toBe(false);
    const noReset = { remainingRequests: 0, observedAt: 0 };
    expect(isNearRateLimit(noReset, { now: 59_999 })).toBe(true);
    expect(isNearRateLimit(noReset, { now: 60_000 })).toBe(false);
  });
});
