import type { ResponseHeaders } from '../providers/provider.js';
import type { Clock } from '../resilience/clock.js';
import type {
  CircuitBreakerRegistry,
  DeploymentBreakerSnapshot,
} from '../resilience/create-circuit-breaker-registry.js';
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
} from '../resilience/deployment-stats.js';
import {
  isNearRateLimit,
  type RateLimitObservation,
  readRateLimitHeadroom,
} from '../resilience/rate-limit-headroom.js';
import { defaultMaxStateKeys } from '../state/memory-state-store.js';
import type { StateStore } from '../state/state-store.js';
import type { Deployment } from './resolve-model.js';

/** One deployment as `router.deployments()` and `GET /v1/deployments` show it. */
export interface DeploymentSnapshot {
  /** `provider/model`, the key of its breaker and stats. */
  key: string;
  provider: string;
  model: string;
  state: DeploymentBreakerSnapshot['state'];
  consecutiveFailures: number;
  /** Deployment failures in the last `windowMs` of the breaker config. */
  recentFailures: number;
  requestsInWindow: number;
  failuresInWindow: number;
  openCount: number;
  /** Ms until an open circuit admits a probe; 0 otherwise. */
  retryAfterMs: number;
  /** Time to first token: EWMA and p95 of the recent samples, ms; null before the first measurement. */
  latencyMs: number | null;
  p95LatencyMs: number | null;
  inFlight: number;
  rateLimit: RateLimitObservation | null;
  nearRateLimit: boolean;
}

/**
 * Keeps each deployment's stats (TTFT, in-flight, recent failures, rate-limit headroom) in the state store beside
 * its breaker, and joins both into the snapshot the gateway shows. Writes are pure updaters on the store.
 */
export function createDeploymentMonitor(options: {
  store: StateStore;
  breakers: CircuitBreakerRegistry;
  clock: Clock;
  windowMs: number;
}) {
  const { store, breakers, clock } = options;
  const known = new Map<string, { provider: string; model: string }>();
  const update = (key: string, change: (stats: DeploymentStats, now: number) => DeploymentStats) => {
    const now = clock.now();
    store.updateStats(key, (current) => change(current ?? createDeploymentStats(now), now));
  };

  return {
    /** Makes a deployment show up in the snapshot before its first request. */
    register(deployment: Deployment): void {
      if (known.has(deployment.key)) return;
      // Bounded as the state store is: a caller may send any number of model names. The oldest goes; a deployment
      // still in use shows up through its breaker, named from its key.
      if (known.size >= defaultMaxStateKeys) known.delete(known.keys().next().value as string);
      known.set(deployment.key, { provider: deployment.providerName, model: deployment.model });
    },
    stats: (key: string): DeploymentStats | undefined => store.getStats(key),
    requestStarted(key: string): void {
      update(key, (stats, now) => recordRequestStart(stats, now));
    },
    requestEnded(key: string): void {
      update(key, (stats, now) => recordRequestEnd(stats, now));
    },
    firstToken(key: string, ttftMs: number): void {
      update(key, (stats, now) => recordTimeToFirstToken(stats, { ttftMs, now }));
    },
    failed(key: string): void {
      update(key, (stats, now) => recordDeploymentFailure(stats, now));
    },
    /** Adaptive rate limiting: the headroom the response headers report. */
    headers(key: string, headers: ResponseHeaders): void {
      const headroom = readRateLimitHeadroom(headers, clock.now());
      if (Object.keys(headroom).length === 0) return;
      update(key, (stats, now) => recordRateLimitHeadroom(stats, headroom, now));
    },
    snapshot(): DeploymentSnapshot[] {
      const now = clock.now();
      const circuits = new Map(breakers.snapshot().map((row) => [row.deployment, row]));
      const keys = new Set([...known.keys(), ...circuits.keys()]);
      return [...keys].sort().map((key) => {
        const circuit = circuits.get(key);
        const stats = store.getStats(key);
        const identity = known.get(key) ?? splitKey(key);
        return {
          key,
          provider: identity.provider,
          model: identity.model,
          state: circuit?.state ?? 'closed',
          consecutiveFailures: circuit?.consecutiveFailures ?? 0,
          recentFailures: stats ? countRecentFailures(stats, { now, windowMs: options.windowMs }) : 0,
          requestsInWindow: circuit?.requestsInWindow ?? 0,
          failuresInWindow: circuit?.failuresInWindow ?? 0,
          openCount: circuit?.openCount ?? 0,
          retryAfterMs: circuit?.retryAfterMs ?? 0,
          latencyMs: stats?.ttftEwmaMs === null || !stats ? null : Math.round(stats.ttftEwmaMs),
          p95LatencyMs: stats ? (percentileTimeToFirstToken(stats, 0.95) ?? null) : null,
          inFlight: stats?.inFlight ?? 0,
          rateLimit: stats?.rateLimit ?? null,
          nearRateLimit: isNearRateLimit(stats?.rateLimit, { now }),
        };
      });
    },
  };
}

export type DeploymentMonitor = ReturnType<typeof createDeploymentMonitor>;

function splitKey(key: string): { provider: string; model: string } {
  const slash = key.indexOf('/');
  return slash < 0 ? { provider: key, model: '' } : { provider: key.slice(0, slash), model: key.slice(slash + 1) };
}
