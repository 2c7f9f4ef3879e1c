import { Writable } from 'node:stream';
import { setTimeout as delay } from 'node:timers/promises';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServerHandle, startRedisServer } from '../../../test/support/redis-server.js';
import { resolveCircuitBreakerConfig } from '../../core/resilience/circuit-breaker-config.js';
import { createBreakerState, recordFailure } from '../../core/resilience/circuit-breaker-state.js';
import { createRedisConnection } from './create-redis-connection.js';
import { createRedisStateStore } from './create-redis-state-store.js';

let redis: RedisServerHandle;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(async () => {
  redis?.resume();
  await redis?.stop();
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(5);
  }
}

function captureLogs() {
  const lines: { msg: string; redis?: string }[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({
      write(chunk, _encoding, callback) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        callback();
      },
    }),
  );
  return { logger, lines };
}

describe('createRedisConnection', () => {
  it('degrades when Redis dies and when it hangs, logs each once, and re-syncs local state when it returns', async () => {
    const { logger, lines } = captureLogs();
    const connection = createRedisConnection({ url: redis.url, keyPrefix: 'outage:', heartbeatMs: 50, logger });
    const witnessConnection = createRedisConnection({ url: redis.url, keyPrefix: 'outage:', heartbeatMs: 50 });
    const store = createRedisStateStore({ connection });
    const witness = createRedisStateStore({ connection: witnessConnection });
    try {
      expect(await connection.ready(2_000)).toBe(true);
      let recoveries = 0;
      connection.onRecover(() => {
        recoveries += 1;
      });

      await redis.kill();
      await waitFor(() => !connection.isUp());
      expect(connection.status()).toMatchObject({ health: 'degraded', outages: 1 });
      // Local state keeps working while Redis is gone; the change cannot be shared yet.
      const config = resolveCircuitBreakerConfig({ failureThreshold: 1 });
      const now = Date.now();
      store.updateBreaker('d', () => recordFailure(createBreakerState(now), config, now).state);
      await store.flush();
      expect(store.getBreaker('d')?.state).toBe('open');
      await delay(300);

      // An empty Redis comes back: the instance pushes its open breaker, and the other one learns of it.
      await redis.restart();
      await waitFor(() => connection.isUp());
      await waitFor(() => witness.getBreaker('d')?.state === 'open');
      expect(recoveries).toBeGreaterThanOrEqual(1);

      // A hung Redis (connection open, no answers) degrades through the heartbeat's command timeout.
      redis.pause();
      await waitFor(() => !connection.isUp());
      redis.resume();
      await waitFor(() => connection.isUp());
      // Two outages; a CPU-starved test machine may add one (three late heartbeats in a row look like a hung Redis).
      const outages = connection.status().outages;
      expect(outages).toBeGreaterThanOrEqual(2);

      // One line per change of health, however many commands failed meanwhile.
      const degradedLogs = lines.filter((line) => line.redis === 'degraded');
      const upLogs = lines.filter((line) => line.redis === 'up');
      expect(degradedLogs).toHaveLength(outages);
      expect(upLogs).toHaveLength(outages + 1);
    } finally {
      await store.close();
      await witness.close();
      await connection.close();
      await witnessConnection.close();
    }
  });

  it('starts degraded, without throwing, when Redis is not there', async () => {
    const connection = createRedisConnection({ url: 'redis://127.0.0.1:1', heartbeatMs: 50 });
    try {
      expect(await connection.ready(300)).toBe(false);
      expect(connection.status().health).toBe('degraded');
    } finally {
      await connection.close();
    }
  });
});
