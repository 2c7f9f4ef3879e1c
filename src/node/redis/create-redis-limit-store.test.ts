import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServerHandle, startRedisServer } from '../../../test/support/redis-server.js';
import type { LimitWindow } from '../../server/limits/limit-store.js';
import { createRedisConnection, type RedisConnection } from './create-redis-connection.js';
import { createRedisLimitStore } from './create-redis-limit-store.js';

let redis: RedisServerHandle;
const connections: RedisConnection[] = [];
beforeAll(async () => {
  redis = await startRedisServer();
  for (let index = 0; index < 3; index += 1) {
    const connection = createRedisConnection({ url: redis.url, keyPrefix: 'limits:', heartbeatMs: 50 });
    expect(await connection.ready(2_000)).toBe(true);
    connections.push(connection);
  }
});
afterAll(async () => {
  redis?.resume();
  for (const connection of connections) await connection.close();
  await redis?.stop();
});

const now = Date.now();
const current: LimitWindow = { start: now - (now % 60_000), expiresAt: now + 120_000, weight: 1 };
const previous: LimitWindow = { start: current.start - 60_000, expiresAt: now + 60_000, weight: 0.5 };

describe('createRedisLimitStore', () => {
  it('never lets instances together take more than the limit, however the calls interleave', async () => {
    const stores = connections.map((connection) => createRedisLimitStore({ connection }));
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, index) =>
        stores[index % 3].consume({ key: 'rpm:k', windows: [current, previous], amount: 1, limit: 50 }),
      ),
    );
    expect(results.filter((result) => result.allowed)).toHaveLength(50);
    expect(await stores[1].read({ key: 'rpm:k', windows: [current, previous] })).toEqual([50, 0]);
  });

  it('weighs the previous window and keeps fractional amounts', async () => {
    const [a, b] = connections.map((connection) => createRedisLimitStore({ connection }));
    await a.add({ key: 'cost:k', window: previous, amount: 1.5 });
    await b.add({ key: 'cost:k', window: current, amount: 0.25 });
    // 0.25 + 1.5 × 0.5 = 1.0: 0.5 more fits a limit of 1.5, 0.6 does not.
    const denied = await a.consume({ key: 'cost:k', windows: [current, previous], amount: 0.6, limit: 1.5 });
    expect(denied).toEqual({ allowed: false, counts: [0.25, 1.5] });
    const allowed = await b.consume({ key: 'cost:k', windows: [current, previous], amount: 0.5, limit: 1.5 });
    expect(allowed).toEqual({ allowed: true, counts: [0.25, 1.5] });
    expect(await a.read({ key: 'cost:k', windows: [current, previous] })).toEqual([0.75, 1.5]);
  });

  it('answers from local counters within the command timeout when Redis hangs', async () => {
    const store = createRedisLimitStore({ connection: connections[0] });
    redis.pause();
    try {
      const started = performance.now();
      const result = await store.consume({ key: 'rpm:hang', windows: [current], amount: 1, limit: 5 });
      expect(result).toEqual({ allowed: true, counts: [0] });
      expect(performance.now() - started).toBeLessThan(400);
      // Once the heartbeat's timeouts made the connection degraded, calls do not even try Redis.
      const deadline = Date.now() + 3_000;
      while (connections[0].isUp() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(connections[0].isUp()).toBe(false);
      const next = performance.now();
      await store.consume({ key: 'rpm:hang', windows: [current], amount: 1, limit: 5 });
      expect(performance.now() - next).toBeLessThan(20);
    } finally {
      redis.resume();
    }
  });
});
