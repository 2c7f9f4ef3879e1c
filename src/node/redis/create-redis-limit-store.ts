import { createMemoryLimitStore } from '../../server/limits/create-memory-limit-store.js';
import type { LimitStore, LimitWindow } from '../../server/limits/limit-store.js';
import type { RedisConnection } from './create-redis-connection.js';
import { defineRedisScripts } from './redis-scripts.js';

/** Options of {@link createRedisLimitStore}. */
export interface RedisLimitStoreOptions {
  connection: RedisConnection;
  /** Serves while Redis is down or slow (limits then hold per instance). A fresh memory store by default. */
  fallback?: LimitStore;
}

/**
 * The {@link LimitStore} shared by every gateway instance: each `consume` is one Lua script (read the windows,
 * weigh, add if it fits) so two instances never both take the last slot, and `add` sets the expiry in the same
 * step as the increment. A call Redis does not answer within the connection's command timeout, or any call while
 * the connection is degraded, goes to the local fallback instead: a request is never refused or delayed because
 * Redis is away; the limits are then per instance until it returns (docs/deploy.md).
 */
export function createRedisLimitStore(options: RedisLimitStoreOptions): LimitStore {
  const { connection } = options;
  const fallback = options.fallback ?? createMemoryLimitStore();
  const client = defineRedisScripts(connection.client);
  const counterKey = (key: string, window: LimitWindow) => `${connection.keyPrefix}limit:${key}:${window.start}`;

  async function shared<T>(call: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    if (!connection.isUp()) return local();
    try {
      const result = await call();
      connection.reportSuccess();
      return result;
    } catch (error) {
      connection.reportFailure(error);
      return local();
    }
  }

  return {
    consume(input) {
      return shared(
        async () => {
          const { key, windows, amount, limit } = input;
          const reply = await client.cbConsumeLimit(
            windows.length,
            ...windows.map((window) => counterKey(key, window)),
            amount,
            limit,
            windows[0].expiresAt,
            ...windows.map((window) => window.weight),
          );
          return { allowed: Number(reply[0]) === 1, counts: reply.slice(1).map(Number) };
        },
        () => fallback.consume(input),
      );
    },
    add(input) {
      return shared(
        async () => {
          await client.cbAddToLimit(counterKey(input.key, input.window), String(input.amount), input.window.expiresAt);
        },
        () => fallback.add(input),
      );
    },
    read(input) {
      return shared(
        async () => {
          if (input.windows.length === 0) return [];
          const values = await client.mget(...input.windows.map((window) => counterKey(input.key, window)));
          return values.map((value) => (value === null ? 0 : Number(value)));
        },
        () => fallback.read(input),
      );
    },
  };
}
