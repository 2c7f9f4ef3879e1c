import type { RateLimitHeadroom, RateLimitObservation } from './rate-limit-headroom.js';

/**
 * What routing strategies and hedging know about one deployment, as a plain serializable value kept in the
 * state store beside its breaker. All updates are pure functions returning a new value.
 */
export interface DeploymentStats {
  /** Exponentially weighted moving average of time to first token; null until measured. */
  ttftEwmaMs: number | null;
  /** The most recent time-to-first-token samples, oldest first (for the p95 behind `hedge_after_ms: auto`). */
  ttftSamples: number[];
  /** Requests currently streaming from this deployment (through this store). */
  inFlight: number;
  /** Times of recent deployment failures, oldest first, bounded. */
  recentFailures: number[];
  rateLimit: RateLimitObservation | null;
  updatedAt: number;
}

/** Defaults: EWMA weight of the newest sample, ring sizes. */
export const deploymentStatsDefaults = Object.freeze({ ewmaAlpha: 0.2, ttftSampleSize: 32, failureSampleSize: 20 });

/** Stats for a deployment nothing is known about yet. */
export function createDeploymentStats(now = 0): DeploymentStats {
  return { ttftEwmaMs: null, ttftSamples: [], inFlight: 0, recentFailures: [], rateLimit: null, updatedAt: now };
}

/** Adds one time-to-first-token sample to the EWMA and the sample ring. */
export function recordTimeToFirstToken(
  stats: DeploymentStats,
  sample: { ttftMs: number; now: number; alpha?: number; sampleSize?: number },
): DeploymentStats {
  const alpha = sample.alpha ?? deploymentStatsDefaults.ewmaAlpha;
  const size = sample.sampleSize ?? deploymentStatsDefaults.ttftSampleSize;
  const ewma = stats.ttftEwmaMs === null ? sample.ttftMs : alpha * sample.ttftMs + (1 - alpha) * stats.ttftEwmaMs;
  return {
    ...stats,
    ttftEwmaMs: ewma,
    ttftSamples: appendBounded(stats.ttftSamples, sample.ttftMs, size),
    updatedAt: sample.now,
  };
}

/** A request started streaming from the deployment. */
export function recordRequestStart(stats: DeploymentStats, now: number): DeploymentStats {
  return { ...stats, inFlight: stats.inFlight + 1, updatedAt: now };
}

/** A request to the deployment ended, however it ended. */
export function recordRequestEnd(stats: DeploymentStats, now: number): DeploymentStats {
  return { ...stats, inFlight: Math.max(0, stats.inFlight - 1), updatedAt: now };
}

/** A request failed in a way that counts against the deployment. */
export function recordDeploymentFailure(stats: DeploymentStats, now: number): DeploymentStats {
  return {
    ...stats,
    recentFailures: appendBounded(stats.recentFailures, now, deploymentStatsDefaults.failureSampleSize),
    updatedAt: now,
  };
}

/** Failures in the last `windowMs` (at most the ring size). */
export function countRecentFailures(stats: DeploymentStats, options: { now: number; windowMs: number }): number {
  return stats.recentFailures.filter((at) => at > options.now - options.windowMs).length;
}

/** Keeps the latest rate-limit reading; an empty reading (no headers) keeps the previous one. */
export function recordRateLimitHeadroom(
  stats: DeploymentStats,
  headroom: RateLimitHeadroom,
  now: number,
): DeploymentStats {
  if (Object.keys(headroom).length === 0) return stats;
  return { ...stats, rateLimit: { ...headroom, observedAt: now }, updatedAt: now };
}

/** The `percentile` (0..1, nearest rank) of the recent time-to-first-token samples; undefined with none. */
export function percentileTimeToFirstToken(stats: DeploymentStats, percentile: number): number | undefined {
  if (stats.ttftSamples.length === 0) return undefined;
  const sorted = [...stats.ttftSamples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(percentile * sorted.length)));
  return sorted[rank - 1];
}

function appendBounded(values: readonly number[], value: number, size: number): number[] {
  const next = values.length >= size ? values.slice(values.length - size + 1) : [...values];
  next.push(value);
  return next;
}
