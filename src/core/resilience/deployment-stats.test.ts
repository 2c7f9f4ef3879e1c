import { describe, expect, it } from 'vitest';
import {
  countRecentFailures,
  createDeploymentStats,
  type DeploymentStats,
  percentileTimeToFirstToken,
  recordDeploymentFailure,
  recordRateLimitHeadroom,
  recordRequestEnd,
  recordRequestStart,
  recordTimeToFirstToken,
} from './deployment-stats.js';
import { resolveHedgeDelay } from './hedge.js';

function withSamples(samples: number[]): DeploymentStats {
  return samples.reduce(
    (stats, ttftMs, i) => recordTimeToFirstToken(stats, { ttftMs, now: i }),
    createDeploymentStats(),
  );
}

describe('deployment stats', () => {
  it('keeps an EWMA of time to first token, seeded by the first sample', () => {
    let stats = recordTimeToFirstToken(createDeploymentStats(), { ttftMs: 1000, now: 1 });
    expect(stats.ttftEwmaMs).toBe(1000);
    stats = recordTimeToFirstToken(stats, { ttftMs: 2000, now: 2, alpha: 0.5 });
    expect(stats.ttftEwmaMs).toBe(1500);
  });

  it('keeps a bounded ring of samples and reads percentiles from it', () => {
    const stats = withSamples(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(stats.ttftSamples).toHaveLength(32);
    expect(stats.ttftSamples[0]).toBe(69);
    expect(percentileTimeToFirstToken(stats, 0.95)).toBe(99);
    expect(percentileTimeToFirstToken(stats, 0.5)).toBe(84);
    expect(percentileTimeToFirstToken(createDeploymentStats(), 0.95)).toBeUndefined();
  });

  it('counts in-flight requests, never below zero', () => {
    let stats = recordRequestStart(recordRequestStart(createDeploymentStats(), 0), 0);
    expect(stats.inFlight).toBe(2);
    stats = recordRequestEnd(recordRequestEnd(recordRequestEnd(stats, 1), 1), 1);
    expect(stats.inFlight).toBe(0);
  });

  it('counts recent failures in a window', () => {
    let stats = createDeploymentStats();
    for (const at of [1000, 2000, 50_000, 59_000]) stats = recordDeploymentFailure(stats, at);
    expect(countRecentFailures(stats, { now: 60_000, windowMs: 30_000 })).toBe(2);
    expect(countRecentFailures(stats, { now: 60_000, windowMs: 58_500 })).toBe(3);
  });

  it('keeps the last non-empty rate-limit reading', () => {
    const stats = recordRateLimitHeadroom(createDeploymentStats(), { remainingRequests: 3, limitRequests: 100 }, 5);
    expect(stats.rateLimit).toEqual({ remainingRequests: 3, limitRequests: 100, observedAt: 5 });
    expect(recordRateLimitHeadroom(stats, {}, 6)).toBe(stats);
  });

  it('round-trips through JSON', () => {
    const stats = recordDeploymentFailure(withSamples([100, 200]), 9);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
  });
});

describe('resolveHedgeDelay', () => {
  it('passes a fixed delay through and disables when unset', () => {
    expect(resolveHedgeDelay(750, undefined)).toBe(750);
    expect(resolveHedgeDelay(undefined, withSamples([1, 2, 3]))).toBeUndefined();
  });

  it('uses the p95 for auto once there are enough samples', () => {
    expect(resolveHedgeDelay('auto', withSamples([100, 200, 300]))).toBeUndefined();
    expect(resolveHedgeDelay('auto', undefined)).toBeUndefined();
    const samples = Array.from({ length: 20 }, (_, i) => (i + 1) * 100);
    expect(resolveHedgeDelay('auto', withSamples(samples))).toBe(1900);
  });
});
