import type { BreakerState } from '../resilience/circuit-breaker-state.js';
import type { DeploymentStats } from '../resilience/deployment-stats.js';
import type { StateChange, StateStore } from './state-store.js';

/**
 * The in-process {@link StateStore}: two maps and a listener set. The default for a single gateway instance and
 * for the library; a shared store reuses its shape as its local cache.
 */
export function createMemoryStateStore(): StateStore {
  const breakers = new Map<string, BreakerState>();
  const stats = new Map<string, DeploymentStats>();
  const listeners = new Set<(change: StateChange) => void>();

  function notify(change: StateChange): void {
    for (const listener of [...listeners]) listener(change);
  }

  return {
    getBreaker: (key) => breakers.get(key),
    updateBreaker(key, update) {
      const previous = breakers.get(key);
      const next = update(previous);
      if (next === previous) return next;
      breakers.set(key, next);
      notify({ kind: 'breaker', key, state: next, previous, source: 'local' });
      return next;
    },
    getStats: (key) => stats.get(key),
    updateStats(key, update) {
      const previous = stats.get(key);
      const next = update(previous);
      if (next === previous) return next;
      stats.set(key, next);
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
