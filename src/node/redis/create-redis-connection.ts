import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Whether the shared state is reachable: `up`, or `degraded` (each instance on its local state). */
export type RedisHealth = 'up' | 'degraded';

/** What `/ready`, `/metrics` and the dashboard show about the Redis backend. */
export interface RedisStatus {
  health: RedisHealth;
  /** When the current health began (epoch ms). */
  since: number;
  /** Why it is degraded, for the operator (the last connection or command error). */
  reason?: string;
  /** Outages since start. */
  outages: number;
  /** Round-trip time of the last successful heartbeat PING, ms. */
  lastPingMs?: number;
}

/** Options of {@link createRedisConnection}. */
export interface RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. */
  url: string;
  /** Prefix of every key and channel, so gateways of different deployments can share one Redis. Default `cb:`. */
  keyPrefix?: string;
  /**
   * A command not answered within this is failed and the connection counted degraded. Tight on purpose: the
   * gateway never waits long on shared state; local state serves meanwhile. Default 100 ms.
   */
  commandTimeoutMs?: number;
  /** Connection attempts give up after this. Default 500 ms. */
  connectTimeoutMs?: number;
  /** Heartbeat PING interval: detects a hung Redis, and recovery while degraded. Default 500 ms. */
  heartbeatMs?: number;
  /** Timeouts in a row that make the connection degraded. Default 3 (with the heartbeat: a hung Redis in ≈ 1.5 s). */
  timeoutsToDegrade?: number;
  logger?: Logger;
}

/**
 * One gateway instance's link to Redis: a command client, a subscriber client, and the health they add up to.
 * Stores check `health` before every call and do not even try while degraded (they serve from local state); a
 * heartbeat finds out when Redis is back, and `onRecover` listeners re-sync then. Degradation and recovery are
 * logged once each, not per failed command.
 */
export interface RedisConnection {
  readonly client: Redis;
  readonly subscriber: Redis;
  readonly keyPrefix: string;
  /** A fresh copy of the status. */
  status(): RedisStatus;
  isUp(): boolean;
  /**
   * A command failed. A lost connection degrades at once; timeouts degrade after `timeoutsToDegrade` in a row (one
   * late reply is usually a busy event loop here, not a slow Redis: the timer fires before the reply is read).
   */
  reportFailure(error: unknown): void;
  /** A command succeeded: resets the run of timeouts. */
  reportSuccess(): void;
  /** Called after Redis comes back (and once at the first connection): re-sync local state. */
  onRecover(listener: () => void): () => void;
  /** Called on every change of health. */
  onHealthChange(listener: (status: RedisStatus) => void): () => void;
  /** Resolves once the first connection is ready, or after `timeoutMs` (then degraded; it keeps retrying). */
  ready(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Opens the clients (non-blocking: the gateway starts even when Redis is down, degraded). */
export function createRedisConnection(options: RedisConnectionOptions): RedisConnection {
  const keyPrefix = options.keyPrefix ?? 'cb:';
  const commandTimeoutMs = options.commandTimeoutMs ?? 100;
  const heartbeatMs = options.heartbeatMs ?? 500;
  const logger = options.logger;
  const clientOptions = {
    commandTimeout: commandTimeoutMs,
    connectTimeout: options.connectTimeoutMs ?? 500,
    // Fail at once while disconnected instead of queueing: the caller falls back to local state.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    // Keep trying, quickly, forever: an outage ends when Redis is back, not when a retry budget runs out.
    retryStrategy: (times: number) => Math.min(50 * times, 500),
    lazyConnect: false,
  };
  const client = new Redis(options.url, { ...clientOptions, connectionName: 'circuit-breaker' });
  // The subscriber may queue SUBSCRIBE until connected; ioredis re-subscribes by itself after a reconnect.
  const subscriber = new Redis(options.url, {
    ...clientOptions,
    enableOfflineQueue: true,
    commandTimeout: undefined,
    connectionName: 'circuit-breaker-sub',
  });

  let status: RedisStatus = { health: 'degraded', since: Date.now(), reason: 'connecting', outages: 0 };
  let everUp = false;
  let closed = false;
  let timeoutsInARow = 0;
  const timeoutsToDegrade = options.timeoutsToDegrade ?? 3;
  const recoverListeners = new Set<() => void>();
  const healthListeners = new Set<(status: RedisStatus) => void>();
  const readyWaiters = new Set<(up: boolean) => void>();

  const setHealth = (health: RedisHealth, reason?: string) => {
    if (closed || status.health === health) return;
    status = {
      health,
      since: Date.now(),
      outages: status.outages + (health === 'degraded' ? 1 : 0),
      ...(reason ? { reason } : {}),
      ...(status.lastPingMs !== undefined ? { lastPingMs: status.lastPingMs } : {}),
    };
    if (health === 'degraded') {
      logger?.warn(
        { redis: 'degraded', reason },
        'Redis unreachable: serving from local state (breakers, limits and sessions not shared) until it returns',
      );
    } else {
      logger?.info(
        { redis: 'up', firstConnection: !everUp },
        everUp ? 'Redis back: re-syncing shared state' : 'Redis connected',
      );
      everUp = true;
      for (const resolve of readyWaiters) resolve(true);
      readyWaiters.clear();
      for (const listener of [...recoverListeners]) listener();
    }
    for (const listener of [...healthListeners]) listener({ ...status });
  };

  const subscriberReady = () => subscriber.status === 'ready';
  const markUpIfBothReady = () => {
    if (client.status === 'ready' && subscriberReady()) setHealth('up');
  };
  for (const redis of [client, subscriber]) {
    // Without a listener ioredis would throw on 'error'; the health change is what gets logged.
    redis.on('error', (error: Error) => {
      if (status.health === 'up') setHealth('degraded', error.message);
      else if (status.reason === 'connecting') status.reason = error.message;
    });
    redis.on('close', () => setHealth('degraded', 'connection closed'));
    redis.on('ready', markUpIfBothReady);
  }

  function reportFailure(error: unknown): void {
    const message = errorMessage(error);
    if (/timed? ?out/i.test(message) && client.status === 'ready') {
      timeoutsInARow += 1;
      if (timeoutsInARow < timeoutsToDegrade) return;
    }
    setHealth('degraded', message);
  }

  // The heartbeat finds a hung Redis (connection open, nothing answering) and, while degraded, its return.
  const heartbeat = setInterval(() => {
    if (client.status !== 'ready') return;
    const started = performance.now();
    client.ping().then(
      () => {
        status.lastPingMs = Math.round((performance.now() - started) * 100) / 100;
        timeoutsInARow = 0;
        markUpIfBothReady();
      },
      (error: unknown) => reportFailure(error),
    );
  }, heartbeatMs);
  heartbeat.unref();

  return {
    client,
    subscriber,
    keyPrefix,
    status: () => ({ ...status }),
    isUp: () => status.health === 'up',
    reportFailure,
    reportSuccess() {
      timeoutsInARow = 0;
    },
    onRecover(listener) {
      recoverListeners.add(listener);
      return () => recoverListeners.delete(listener);
    },
    onHealthChange(listener) {
      healthListeners.add(listener);
      return () => healthListeners.delete(listener);
    },
    ready(timeoutMs = 1_000) {
      if (status.health === 'up') return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          readyWaiters.delete(resolve);
          resolve(false);
        }, timeoutMs);
        readyWaiters.add((up) => {
          clearTimeout(timer);
          resolve(up);
        });
      });
    },
    async close() {
      closed = true;
      clearInterval(heartbeat);
      for (const resolve of readyWaiters) resolve(false);
      readyWaiters.clear();
      recoverListeners.clear();
      healthListeners.clear();
      await Promise.allSettled([quit(client), quit(subscriber)]);
    },
  };
}

async function quit(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    await Promise.race([redis.quit(), new Promise((resolve) => setTimeout(resolve, 200))]).catch(() => {});
  }
  redis.disconnect();
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
