import type { BreakerState } from '../resilience/circuit-breaker-state.js';
import type { DeploymentStats } from '../resilience/deployment-stats.js';
import type { StateChange, StateStore } from './state-store.js';

/**
 * Deployment keys a memory store keeps at most. A key is a provider plus whatever model name a caller sent, so
 * without a bound every distinct name (`openai/<anything>`) would stay for good: a few KB each, without limit.
 * Configured deployments are far fewer; beyond the bound, the least recently changed idle key goes.
 */
export const defaultMaxStateKeys = 1_000;

/** How many of the oldest keys one eviction looks at for an idle one (the rest are busy: growth stays bounded). */
const evictionScan = 16;

export interface MemoryStateStoreOptions {
  /** Keys kept at most; default {@link defaultMaxStateKeys}. */
  maxKeys?: number;
}

/**
 * The in-process {@link StateStore}: two maps and a listener set. The default for a single gateway instance and
 * for the library; a shared store reuses its shape as its local cache. Past `maxKeys` it forgets the least recently
 * changed key that is idle (circuit closed, nothing in flight): an open circuit or a running request is never lost.
 */
export function createMemoryStateStore(options: MemoryStateStoreOptions = {}): StateStore {
  const maxKeys = options.maxKeys ?? defaultMaxStateKeys;
  const breakers = new Map<string, BreakerState>();
  const stats = new Map<string, DeploymentStats>();
  /** Every key, least recently changed first. */
  const recency = new Map<string, true>();
  const listeners = new Set<(change: StateChange) => void>();

  function notify(change: StateChange): void {
    for (const listener of [...listeners]) listener(change);
  }

  function isIdle(key: string): boolean {
    const breaker = breakers.get(key);
    return (breaker === undefined || breaker.state === 'closed') && (stats.get(key)?.inFlight ?? 0) === 0;
  }

  /** The most recently changed key: touching it again needs no reordering. */
  let newest: string | undefined;

  function touch(key: string): void {
    // Three stats updates per request, mostly to the same key: a delete and re-set each time would leave deleted
    // entries that make the map rebuild its table, a fresh allocation outliving the scavenge (minor-GC survivors).
    if (key === newest) return;
    newest = key;
    recency.delete(key);
    recency.set(key, true);
    if (recency.size <= maxKeys) return;
    let looked = 0;
    for (const candidate of recency.keys()) {
      if (looked++ >= evictionScan || recency.size <= maxKeys) return;
      if (candidate === key || !isIdle(candidate)) continue;
      recency.delete(candidate);
      breakers.delete(candidate);
      stats.delete(candidate);
    }
  }

  return {
    getBreaker: (key) => breakers.get(key),
    updateBreaker(key, update) {
      const previous = breakers.get(key);
      const next = update(previous);
      if (next === previous) return next;
      breakers.set(key, next);
      touch(key);
      notify({ kind: 'breaker', key, state: next, previous, source: 'local' });
      return next;
    },
    getStats: (key) => stats.get(key),
    updateStats(key, update) {
      const previous = stats.get(key);
      const next = update(previous);
      if (next === previous) return next;
      stats.set(key, next);
      touch(key);
      notify({ kind: 'stats', key, stats: next, previous, source: 'local' });
      return next;
    },
    listBreakers: () => breakers.entries(),
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    flush: async () => {},
    close: async () => {
      listeners.clear();
    },
  };
}
