import { describe, expect, it } from 'vitest';
import { createBreakerState } from '../resilience/circuit-breaker-state.js';
import { createDeploymentStats, recordRequestStart } from '../resilience/deployment-stats.js';
import { createMemoryStateStore } from './memory-state-store.js';
import type { StateChange } from './state-store.js';

describe('createMemoryStateStore', () => {
  it('stores breakers and stats through pure updaters and publishes changes', () => {
    const store = createMemoryStateStore();
    const changes: StateChange[] = [];
    const unsubscribe = store.subscribe!((change) => changes.push(change));
    const breaker = store.updateBreaker('a', (current) => current ?? createBreakerState(1));
    expect(store.getBreaker('a')).toBe(breaker);
    store.updateStats('a', (current) => recordRequestStart(current ?? createDeploymentStats(), 2));
    expect(store.getStats('a')?.inFlight).toBe(1);
    expect(changes.map((c) => [c.kind, c.key, c.source, c.previous])).toEqual([
      ['breaker', 'a', 'local', undefined],
      ['stats', 'a', 'local', undefined],
    ]);
    expect([...store.listBreakers()]).toEqual([['a', breaker]]);
    unsubscribe();
    store.updateBreaker('a', () => createBreakerState(3));
    expect(changes).toHaveLength(2);
  });

  it('treats an updater returning the same object as no change', () => {
    const store = createMemoryStateStore();
    store.updateBreaker('a', () => createBreakerState());
    const changes: StateChange[] = [];
    store.subscribe!((change) => changes.push(change));
    store.updateBreaker('a', (current) => current!);
    expect(changes).toEqual([]);
  });
});
