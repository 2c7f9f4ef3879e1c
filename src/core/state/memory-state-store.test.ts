import { describe, expect, it } from 'vitest';
import { type BreakerState, createBreakerState } from '../resilience/circuit-breaker-state.js';
import { createDeploymentStats, recordRequestEnd, recordRequestStart } from '../resilience/deployment-stats.js';
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

describe('createMemoryStateStore bound', () => {
  const closed = () => createBreakerState(1);
  const open = (): BreakerState => ({ ...createBreakerState(1), state: 'open', openUntil: 10_000 });

  it('keeps at most maxKeys, forgetting the least recently changed idle key', () => {
    const store = createMemoryStateStore({ maxKeys: 3 });
    for (const key of ['a', 'b', 'c']) store.updateBreaker(key, closed);
    // Changing `a` makes `b` the least recently changed.
    store.updateStats('a', (current) => recordRequestEnd(current ?? createDeploymentStats(), 2));
    store.updateBreaker('d', closed);
    expect([...store.listBreakers()].map(([key]) => key).sort()).toEqual(['a', 'c', 'd']);
    expect(store.getStats('a')).toBeDefined();
    for (let index = 0; index < 100; index++) store.updateBreaker(`model-${index}`, closed);
    expect([...store.listBreakers()]).toHaveLength(3);
  });

  it('never forgets an open circuit or a deployment with a request in flight', () => {
    const store = createMemoryStateStore({ maxKeys: 2 });
    store.updateBreaker('down', open);
    store.updateStats('busy', (current) => recordRequestStart(current ?? createDeploymentStats(), 1));
    for (let index = 0; index < 50; index++) store.updateBreaker(`model-${index}`, closed);
    expect(store.getBreaker('down')?.state).toBe('open');
    expect(store.getStats('busy')?.inFlight).toBe(1);
    // Bounded by what is busy, plus the key just changed.
    expect([...store.listBreakers()].length).toBeLessThanOrEqual(2);
    // Once idle, they go like any other.
    store.updateStats('busy', (current) => recordRequestEnd(current!, 2));
    store.updateBreaker('down', closed);
    for (let index = 0; index < 50; index++) store.updateBreaker(`later-${index}`, closed);
    expect(store.getBreaker('down')).toBeUndefined();
    expect(store.getStats('busy')).toBeUndefined();
  });
});
