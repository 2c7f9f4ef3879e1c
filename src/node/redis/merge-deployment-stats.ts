import { type DeploymentStats, deploymentStatsDefaults } from '../../core/resilience/deployment-stats.js';

/**
 * The cluster view of one deployment from each instance's own figures: in-flight requests add up (that is the
 * load `least-busy` balances), latency is the mean of the instances' EWMAs with their samples pooled (the
 * upstream is the same for all), failures pooled, and the newest rate-limit reading kept. Returns `own` itself
 * when there is nothing else to merge, so a single instance pays nothing.
 */
export function mergeDeploymentStats(
  own: DeploymentStats | undefined,
  others: readonly DeploymentStats[],
): DeploymentStats | undefined {
  if (others.length === 0) return own;
  const all = own ? [...others, own] : [...others];
  if (all.length === 1) return all[0];
  const ewmas = all.flatMap((stats) => (stats.ttftEwmaMs === null ? [] : [stats.ttftEwmaMs]));
  const rateLimit = all.reduce<DeploymentStats['rateLimit']>(
    (newest, stats) =>
      stats.rateLimit && (!newest || stats.rateLimit.observedAt > newest.observedAt) ? stats.rateLimit : newest,
    null,
  );
  return {
    ttftEwmaMs: ewmas.length === 0 ? null : ewmas.reduce((sum, value) => sum + value, 0) / ewmas.length,
    ttftSamples: all.flatMap((stats) => stats.ttftSamples).slice(-deploymentStatsDefaults.ttftSampleSize),
    inFlight: all.reduce((sum, stats) => sum + stats.inFlight, 0),
    recentFailures: all
      .flatMap((stats) => stats.recentFailures)
      .sort((a, b) => a - b)
      .slice(-deploymentStatsDefaults.failureSampleSize),
    rateLimit,
    updatedAt: Math.max(...all.map((stats) => stats.updatedAt)),
  };
}

/** Checks an untrusted value (another instance's message) has the {@link DeploymentStats} shape. */
export function isDeploymentStats(value: unknown): value is DeploymentStats {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const numbers = (x: unknown) => Array.isArray(x) && x.every((item) => typeof item === 'number');
  return (
    (v.ttftEwmaMs === null || typeof v.ttftEwmaMs === 'number') &&
    numbers(v.ttftSamples) &&
    typeof v.inFlight === 'number' &&
    numbers(v.recentFailures) &&
    (v.rateLimit === null ||
      (typeof v.rateLimit === 'object' && typeof (v.rateLimit as { observedAt?: unknown }).observedAt === 'number')) &&
    typeof v.updatedAt === 'number'
  );
}
