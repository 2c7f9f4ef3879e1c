import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { ConfigError } from '../../core/errors/request-errors.js';
import { type Environment, interpolateEnv } from '../../core/router/interpolate-env.js';
import { createMemoryStateStore } from '../../core/state/memory-state-store.js';
import type { StateStore } from '../../core/state/state-store.js';
import type { LimitStore } from '../../server/limits/limit-store.js';
import type { RedisConnection, RedisStatus } from './create-redis-connection.js';
import type { RedisSessionJournal } from './create-redis-session-journal.js';

/**
 * The top-level `state` section: where breakers, deployment stats, limit counters and resumable sessions live.
 * `memory` (default) keeps them in the process; `redis` shares them between every instance using the same Redis
 * and `key_prefix` (see docs/deploy.md).
 */
export const stateConfigSchema = z
  .object({
    backend: z.enum(['memory', 'redis']).default('memory'),
    /** `redis://[user:password@]host:port[/db]`, or `rediss://` for TLS. `REDIS_URL` when omitted. */
    url: z.string().min(1).optional(),
    /** Prefix of every key and channel: gateways with different configs can share one Redis. */
    key_prefix: z.string().default('cb:'),
    /** A Redis call not answered within this falls back to local state. */
    command_timeout_ms: z.coerce.number().int().positive().default(100),
    /** How long start-up waits for Redis before serving degraded (it keeps retrying). */
    connect_wait_ms: z.coerce.number().int().min(0).default(1_000),
  })
  .strict();

export type StateConfig = z.output<typeof stateConfigSchema>;

/** Parses the `state` section with `${VAR}` interpolation; `CIRCUIT_BREAKER_STATE_BACKEND` and `REDIS_URL` override. */
export function resolveStateConfig(section: unknown, env: Environment): StateConfig {
  const interpolated = (section === undefined || section === null ? {} : interpolateEnv(section, env, 'state')) as
    | Record<string, unknown>
    | unknown[];
  if (typeof interpolated !== 'object' || Array.isArray(interpolated)) {
    throw new ConfigError('The state section must be a mapping (backend:, url:)', { param: 'state' });
  }
  const withEnv: Record<string, unknown> = { ...interpolated };
  if (env.CIRCUIT_BREAKER_STATE_BACKEND) withEnv.backend = env.CIRCUIT_BREAKER_STATE_BACKEND;
  if (withEnv.url === undefined && env.REDIS_URL) withEnv.url = env.REDIS_URL;
  const parsed = stateConfigSchema.safeParse(withEnv);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ['state', ...issue.path.map(String)].join('.');
    throw new ConfigError(`Invalid config at ${path}: ${issue.message}`, { param: path });
  }
  if (parsed.data.backend === 'redis' && !parsed.data.url) {
    throw new ConfigError('state.backend is redis but no state.url (or REDIS_URL) is set', { param: 'state.url' });
  }
  return parsed.data;
}

/** What `/ready`, `/metrics` and the dashboard show about shared state. */
export type SharedStateStatus =
  | { backend: 'memory'; health: 'up' }
  | ({ backend: 'redis'; instance: string } & RedisStatus);

/** The stores one gateway instance uses, local or shared. */
export interface SharedState {
  readonly backend: 'memory' | 'redis';
  /** For the router's `store` option. */
  readonly stateStore: StateStore;
  /** For the limits; undefined with the memory backend (the limiter's own default). */
  readonly limitStore: LimitStore | undefined;
  /** The Redis connection, when there is one. */
  readonly connection: RedisConnection | undefined;
  /** A journal for resumable sessions with these bounds; undefined with the memory backend. */
  sessionJournal(bounds: { retentionMs: number; maxEvents: number; maxBytes: number }): RedisSessionJournal | undefined;
  status(): SharedStateStatus;
  /** Adds `circuit_breaker_shared_state_up` (1 up, 0 degraded) and the outage counter to a metrics registry. */
  registerMetrics(registry: Registry): void;
  close(): Promise<void>;
}

/**
 * Creates the stores for the configured backend. With Redis it waits up to `connect_wait_ms` for the first
 * connection and then starts anyway: a gateway whose Redis is down serves from local state (degraded) and joins
 * the others when Redis comes up.
 */
export async function createSharedState(options: { config: StateConfig; logger?: Logger }): Promise<SharedState> {
  const { config, logger } = options;
  if (config.backend === 'memory') {
    const stateStore = createMemoryStateStore();
    return {
      backend: 'memory',
      stateStore,
      limitStore: undefined,
      connection: undefined,
      sessionJournal: () => undefined,
      status: () => ({ backend: 'memory', health: 'up' }),
      registerMetrics: () => {},
      close: async () => {
        await stateStore.close?.();
      },
    };
  }

  // Imported only when configured: ioredis and its modules cost ~26 MB of RSS that a single instance never needs.
  const { createRedisSharedState } = await import('./create-redis-shared-state.js');
  return createRedisSharedState({ config, logger });
}
