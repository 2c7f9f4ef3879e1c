import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Gauge } from 'prom-client';
import { createRedisConnection } from './create-redis-connection.js';
import { createRedisLimitStore } from './create-redis-limit-store.js';
import { createRedisSessionJournal, type RedisSessionJournal } from './create-redis-session-journal.js';
import { createRedisStateStore } from './create-redis-state-store.js';
import type { SharedState, SharedStateStatus, StateConfig } from './create-shared-state.js';

/** The Redis backend of `createSharedState`, in its own module so the memory backend never loads ioredis. */
export async function createRedisSharedState(options: { config: StateConfig; logger?: Logger }): Promise<SharedState> {
  const { config, logger } = options;
  const instanceId = randomUUID();
  const connection = createRedisConnection({
    url: config.url!,
    keyPrefix: config.key_prefix,
    commandTimeoutMs: config.command_timeout_ms,
    logger,
  });
  const stateStore = createRedisStateStore({ connection, instanceId, logger });
  const limitStore = createRedisLimitStore({ connection });
  const journals: RedisSessionJournal[] = [];
  await connection.ready(config.connect_wait_ms);
  const status = (): SharedStateStatus => ({ backend: 'redis', instance: instanceId, ...connection.status() });

  return {
    backend: 'redis',
    stateStore,
    limitStore,
    connection,
    sessionJournal(bounds) {
      const journal = createRedisSessionJournal({ connection, instanceId, ...bounds });
      journals.push(journal);
      return journal;
    },
    status,
    registerMetrics(registry) {
      new Gauge({
        name: 'circuit_breaker_shared_state_up',
        help: 'Whether the shared state backend (Redis) is reachable: 1 up, 0 degraded (serving from local state).',
        registers: [registry],
        collect() {
          this.set(connection.isUp() ? 1 : 0);
        },
      });
      new Gauge({
        name: 'circuit_breaker_shared_state_outages',
        help: 'Times this instance lost the shared state backend since it started.',
        registers: [registry],
        collect() {
          this.set(connection.status().outages);
        },
      });
    },
    async close() {
      for (const journal of journals) await journal.close();
      await stateStore.close();
      await connection.close();
    },
  };
}
