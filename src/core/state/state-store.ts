import type { BreakerState } from '../resilience/circuit-breaker-state.js';
import type { DeploymentStats } from '../resilience/deployment-stats.js';

/** A change a store made or learned of. `source: 'remote'` marks one another gateway instance published. */
export type StateChange =
  | {
      kind: 'breaker';
      key: string;
      state: BreakerState;
      previous: BreakerState | undefined;
      source: 'local' | 'remote';
    }
  | {
      kind: 'stats';
      key: string;
      stats: DeploymentStats;
      previous: DeploymentStats | undefined;
      source: 'local' | 'remote';
    };

/**
 * Where breaker states and deployment stats live, keyed by deployment key. The hot path is synchronous on
 * purpose: every request reads and updates a breaker, and must never wait on a network round trip.
 *
 * A shared implementation (Redis, in src/node/) keeps a local cache that these methods read and update
 * synchronously, writes each changed value through in the background, publishes it (pub/sub), and applies
 * values other instances publish to its cache, keeping the one with the newer `updatedAt` (both value types
 * carry one); the Redis store orders breakers by a count of status changes first, so that a stale closed value
 * never undoes an opening (docs/decisions/0004-shared-state-in-redis.md). It may keep stats local (in-flight counts are per instance) and share only breakers.
 *
 * Updaters are pure: given the current value (undefined when none yet), return the next. Returning the same
 * object means "unchanged": nothing is written or published. An updater may run again on a fresh value if a
 * store chooses to retry, so it must not have side effects.
 */
export interface StateStore {
  getBreaker(key: string): BreakerState | undefined;
  updateBreaker(key: string, update: (current: BreakerState | undefined) => BreakerState): BreakerState;
  getStats(key: string): DeploymentStats | undefined;
  updateStats(key: string, update: (current: DeploymentStats | undefined) => DeploymentStats): DeploymentStats;
  /** Every breaker the store knows, for snapshots (`GET /v1/deployments`). */
  listBreakers(): Iterable<[key: string, state: BreakerState]>;
  /** Notified after each change, local or remote; returns the unsubscribe function. */
  subscribe?(listener: (change: StateChange) => void): () => void;
  /** Waits for background writes (a shared store); resolves at once for a local one. */
  flush?(): Promise<void>;
  /** Releases connections and timers. */
  close?(): Promise<void>;
}
