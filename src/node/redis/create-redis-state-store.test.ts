import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServerHandle, startRedisServer } from '../../../test/support/redis-server.js';
import { resolveCircuitBreakerConfig } from '../../core/resilience/circuit-breaker-config.js';
import { createBreakerState, recordFailure, recordSuccess } from '../../core/resilience/circuit-breaker-state.js';
import { createDeploymentStats, recordRequestStart } from '../../core/resilience/deployment-stats.js';
import type { StateChange } from '../../core/state/state-store.js';
import { createRedisConnection, type RedisConnection } from './create-redis-connection.js';
import { createRedisStateStore, type RedisStateStore } from './create-redis-state-store.js';

const config = resolveCircuitBreakerConfig({ failureThreshold: 1, cooldownMs: 30_000 });
let redis: RedisServerHandle;
const opened: { connection: RedisConnection; store: RedisStateStore }[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});
afterEach(async () => {
  for (const { store, connection } of opened.splice(0)) {
    await store.close();
    await connection.close();
  }
});

let prefixCounter = 0;
async function openStores(count: number, keyPrefix = `t${++prefixCounter}:`): Promise<RedisStateStore[]> {
  const stores: RedisStateStore[] = [];
  for (let index = 0; index < count; index += 1) {
    const connection = createRedisConnection({ url: redis.url, keyPrefix, heartbeatMs: 100 });
    expect(await connection.ready(2_000)).toBe(true);
    const store = createRedisStateStore({ connection, statsFlushMs: 10, instanceId: `i${index}` });
    opened.push({ connection, store });
    stores.push(store);
  }
  // The subscriptions are set up asynchronously: wait until a probe published by the first reaches the last.
  await waitFor(async () => {
    stores[0].updateBreaker('probe', () => createBreakerState(Date.now()));
    await delay(5);
    return stores.every((store) => store.getBreaker('probe') !== undefined);
  });
  return stores;
}

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(2);
  }
}

const open = (now: number) => recordFailure(createBreakerState(now), config, now).state;

describe('createRedisStateStore', () => {
  it('shares a breaker opened on one instance with the others within milliseconds', async () => {
    const [a, b, c] = await openStores(3);
    const samples: number[] = [];
    for (let round = 0; round < 30; round += 1) {
      const key = `deployment-${round}`;
      const arrived = new Promise<number>((resolve) => {
        const stop = b.subscribe!((change: StateChange) => {
          if (change.kind === 'breaker' && change.key === key && change.source === 'remote') {
            stop();
            resolve(performance.now());
          }
        });
      });
      const started = performance.now();
      a.updateBreaker(key, () => open(Date.now()));
      samples.push((await arrived) - started);
      await waitFor(() => c.getBreaker(key)?.state === 'open');
    }
    samples.sort((x, y) => x - y);
    const p50 = samples[Math.floor(samples.length / 2)];
    const max = samples.at(-1)!;
    console.log(
      `breaker propagation over Redis pub/sub: p50 ${p50.toFixed(2)} ms, max ${max.toFixed(2)} ms (30 rounds)`,
    );
    expect(max).toBeLessThan(100);
  });

  it('never lets a stale closed update from another instance undo an opening', async () => {
    const [a, b] = await openStores(2);
    const now = Date.now();
    a.updateBreaker('d', () => createBreakerState(now));
    await waitFor(() => b.getBreaker('d') !== undefined);
    // A opens it; B, not yet told, counts a success a moment later (a newer updatedAt, an older generation).
    b.subscribe!(() => {});
    a.updateBreaker('d', (current) => recordFailure(current!, config, now + 1).state);
    b.updateBreaker('d', (current) => recordSuccess(current!, config, now + 5).state);
    await waitFor(() => b.getBreaker('d')?.state === 'open');
    await delay(20);
    expect(a.getBreaker('d')?.state).toBe('open');
    expect(b.getBreaker('d')?.state).toBe('open');
  });

  it('loads the breakers already in Redis when an instance starts', async () => {
    const [a] = await openStores(1, 'late:');
    a.updateBreaker('x', () => open(Date.now()));
    await a.flush();
    const [late] = await openStores(1, 'late:');
    await waitFor(() => late.getBreaker('x')?.state === 'open');
  });

  it('adds up in-flight requests across instances and drops a silent instance', async () => {
    const [a, b] = await openStores(2);
    const start = (current = createDeploymentStats(Date.now())) => recordRequestStart(current, Date.now());
    a.updateStats('d', start);
    a.updateStats('d', start);
    b.updateStats('d', start);
    await waitFor(() => a.getStats('d')?.inFlight === 3 && b.getStats('d')?.inFlight === 3);
  });
});
