import { type DeploymentStats, percentileTimeToFirstToken } from './deployment-stats.js';

/** Samples needed before `auto` trusts the p95. */
const minimumSamplesForAuto = 10;

/**
 * The delay after which a hedged request starts a second attempt: a fixed `hedge_after_ms`, or with `auto` the
 * deployment's p95 time to first token (only 5 % of healthy requests wait longer, so a hedge there costs at
 * most ~5 % extra traffic). Undefined means do not hedge: not configured, or `auto` without enough samples yet.
 */
export function resolveHedgeDelay(
  setting: number | 'auto' | undefined,
  stats: DeploymentStats | undefined,
): number | undefined {
  if (setting === undefined) return undefined;
  if (setting !== 'auto') return setting;
  if (!stats || stats.ttftSamples.length < minimumSamplesForAuto) return undefined;
  return percentileTimeToFirstToken(stats, 0.95);
}
