import { describe, expect, it } from 'vitest';
import { resolveCircuitBreakerConfig } from './circuit-breaker-config.js';
import { type BreakerState, createBreakerState, recordFailure } from './circuit-breaker-state.js';
import { createDeploymentStats, type DeploymentStats } from './deployment-stats.js';
import { createSeededRandom } from './seeded-random.js';
import { orderDeployments, type RoutableDeployment } from './select-deployments.js';

const deployments: RoutableDeployment[] = [
  { key: 'a', model: 'gpt-4o', weight: 1 },
  { key: 'b', model: 'gpt-4o-mini', weight: 3 },
  { key: 'c', model: 'claude-opus-4-1', weight: 6 },
];
const keys = (list: RoutableDeployment[]) => list.map((d) => d.key);
const statsOf = (values: Record<string, Partial<DeploymentStats>>) => (key: string) =>
  values[key] ? { ...createDeploymentStats(), ...values[key] } : undefined;

describe('orderDeployments', () => {
  it('priority keeps config order', () => {
    expect(keys(orderDeployments(deployments, 'priority'))).toEqual(['a', 'b', 'c']);
  });

  it('weighted puts each first in proportion to its weight, over many seeded draws', () => {
    const random = createSeededRandom(7);
    const first: Record<string, number> = { a: 0, b: 0, c: 0 };
    const draws = 20_000;
    for (let i = 0; i < draws; i++) first[orderDeployments(deployments, 'weighted', { random })[0].key]++;
    expect(first.a / draws).toBeCloseTo(0.1, 1);
    expect(first.b / draws).toBeCloseTo(0.3, 1);
    expect(first.c / draws).toBeCloseTo(0.6, 1);
  });

  it('weighted returns every deployment once; weight 0 goes last', () => {
    const random = createSeededRandom(1);
    const withZero = [...deployments, { key: 'z', model: 'x', weight: 0 }];
    for (let i = 0; i < 100; i++) {
      const order = keys(orderDeployments(withZero, 'weighted', { random }));
      expect([...order].sort()).toEqual(['a', 'b', 'c', 'z']);
      expect(order[3]).toBe('z');
    }
  });

  it('latency: lowest EWMA first, unmeasured before measured', () => {
    const stats = statsOf({ a: { ttftEwmaMs: 900 }, c: { ttftEwmaMs: 300 } });
    expect(keys(orderDeployments(deployments, 'latency', { stats }))).toEqual(['b', 'c', 'a']);
  });

  it('least-busy: fewest in flight first, ties in config order', () => {
    const stats = statsOf({ a: { inFlight: 4 }, b: { inFlight: 1 }, c: { inFlight: 1 } });
    expect(keys(orderDeployments(deployments, 'least-busy', { stats }))).toEqual(['b', 'c', 'a']);
  });

  it('cost: cheapest first, explicit prices and overrides win, unknown last', () => {
    const list = [...deployments, { key: 'u', model: 'unknown-model' }, { key: 's', model: 'sim-fast' }];
    expect(keys(orderDeployments(list, 'cost'))).toEqual(['s', 'b', 'a', 'c', 'u']);
    const overridden = orderDeployments(list, 'cost', {
      prices: { 'claude-opus-4-1': { inputPerMillion: 0.01, outputPerMillion: 0.01 } },
    });
    expect(keys(overridden)).toEqual(['s', 'c', 'b', 'a', 'u']);
  });

  it('moves deployments near their rate limit, then open circuits, to the back', () => {
    const now = 100_000;
    const config = resolveCircuitBreakerConfig();
    const open: BreakerState = recordFailure(createBreakerState(), config, now, { misconfigured: true }).state;
    const stats = statsOf({ a: { rateLimit: { remainingRequests: 1, limitRequests: 100, observedAt: now - 10 } } });
    const breakers = (key: string) => (key === 'b' ? open : undefined);
    expect(keys(orderDeployments(deployments, 'priority', { stats, breakers, now }))).toEqual(['c', 'a', 'b']);
    // Once the cooldown is over the circuit may probe, so it is ordered normally again.
    const later = now + config.maxCooldownMs;
    expect(keys(orderDeployments(deployments, 'priority', { breakers, now: later }))).toEqual(['a', 'b', 'c']);
  });
});
