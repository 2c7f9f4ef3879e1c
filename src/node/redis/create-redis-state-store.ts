import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type BreakerState, isBreakerState } from '../../core/resilience/circuit-breaker-state.js';
import type { DeploymentStats } from '../../core/resilience/deployment-stats.js';
import type { StateChange, StateStore } from '../../core/state/state-store.js';
import type { RedisConnection } from './create-redis-connection.js';
import { isDeploymentStats, mergeDeploymentStats } from './merge-deployment-stats.js';
import { defineRedisScripts, type ScriptedPipeline } from './redis-scripts.js';

/** Options of {@link createRedisStateStore}. */
export interface RedisStateStoreOptions {
  connection: RedisConnection;
  /** Names this instance in messages and stats entries; a random UUID by default. */
  instanceId?: string;
  /** Breakers untouched this long are dropped from Redis. Default one day. */
  breakerTtlMs?: number;
  /** How often this instance's stats go out (they change on every request; breakers go out at once). Default 50 ms. */
  statsFlushMs?: number;
  /** Own stats are re-sent this often even when unchanged, so others can tell a live instance from a dead one. Default 2 s. */
  statsHeartbeatMs?: number;
  /** Another instance's stats not refreshed within this are ignored (it stopped or lost Redis). Default 6 s. */
  statsStaleMs?: number;
  logger?: Logger;
}

/** A {@link StateStore} shared through Redis, with what the runtime needs to report and re-sync it. */
export interface RedisStateStore extends StateStore {
  readonly instanceId: string;
  /** Pushes local values Redis lacks (or holds older), then pulls everything newer: after start and after an outage. */
  resync(): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface VersionedBreaker {
  state: BreakerState;
  /** Counts status changes; see the `setBreakerIfNewer` script. */
  generation: number;
}

interface RemoteStats {
  stats: DeploymentStats;
  receivedAt: number;
}

type StateMessage =
  | { origin: string; kind: 'breaker'; key: string; generation: number; state: BreakerState }
  | { origin: string; kind: 'stats'; key: string; stats: DeploymentStats };

/**
 * The Redis {@link StateStore}: the memory store's synchronous local cache, written through to Redis in the
 * background and kept current by pub/sub. The request path never waits on Redis.
 *
 * - Breakers are shared exactly: each change is written (one Lua script per breaker, all changes of one event-loop
 *   turn in one pipeline) only if newer than Redis's copy, and published; every instance applies what is newer
 *   than its cache. Propagation is one pipeline plus one pub/sub hop (see docs/deploy.md for the measured bound).
 * - Stats are per instance (in-flight counts are), published every `statsFlushMs`; `getStats` returns the cluster
 *   view ({@link mergeDeploymentStats}), while updaters apply to this instance's own figures.
 * - While Redis is down nothing is attempted: the cache serves alone (degraded), and on return {@link resync} pushes
 *   what changed here and pulls what changed elsewhere.
 */
export function createRedisStateStore(options: RedisStateStoreOptions): RedisStateStore {
  const { connection, logger } = options;
  const instanceId = options.instanceId ?? randomUUID();
  const breakerTtlMs = options.breakerTtlMs ?? 24 * 60 * 60 * 1000;
  const statsStaleMs = options.statsStaleMs ?? 6_000;
  const client = defineRedisScripts(connection.client);
  const prefix = connection.keyPrefix;
  const channel = `${prefix}state`;
  const breakerKey = (key: string) => `${prefix}breaker:${key}`;
  const statsKey = (key: string) => `${prefix}stats:${key}`;
  const breakerIndex = `${prefix}breakers`;
  const statsIndex = `${prefix}stats`;

  const breakers = new Map<string, VersionedBreaker>();
  const ownStats = new Map<string, DeploymentStats>();
  const remoteStats = new Map<string, Map<string, RemoteStats>>();
  const listeners = new Set<(change: StateChange) => void>();
  const pendingBreakers = new Set<string>();
  const pendingStats = new Set<string>();
  let breakerFlushScheduled = false;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  const notify = (change: StateChange) => {
    for (const listener of [...listeners]) listener(change);
  };

  const freshRemotes = (key: string): DeploymentStats[] => {
    const entries = remoteStats.get(key);
    if (!entries) return [];
    const oldest = Date.now() - statsStaleMs;
    const fresh: DeploymentStats[] = [];
    for (const [instance, entry] of entries) {
      if (entry.receivedAt < oldest) entries.delete(instance);
      else fresh.push(entry.stats);
    }
    return fresh;
  };
  const clusterStats = (key: string) => mergeDeploymentStats(ownStats.get(key), freshRemotes(key));

  /** Applies a breaker another instance wrote (or Redis holds) when it is newer than the cached one. */
  const applyBreaker = (key: string, incoming: VersionedBreaker) => {
    const current = breakers.get(key);
    if (current && !isNewer(incoming, current)) return;
    breakers.set(key, incoming);
    notify({ kind: 'breaker', key, state: incoming.state, previous: current?.state, source: 'remote' });
  };
  const applyStats = (key: string, instance: string, stats: DeploymentStats, receivedAt: number) => {
    if (instance === instanceId) return;
    const previous = clusterStats(key);
    const entries = remoteStats.get(key) ?? new Map<string, RemoteStats>();
    remoteStats.set(key, entries);
    const existing = entries.get(instance);
    if (existing && existing.stats.updatedAt > stats.updatedAt) return;
    entries.set(instance, { stats, receivedAt });
    notify({ kind: 'stats', key, stats: clusterStats(key)!, previous, source: 'remote' });
  };

  const queueBreakerWrite = (pipeline: ScriptedPipeline, key: string, entry: VersionedBreaker) => {
    const message: StateMessage = {
      origin: instanceId,
      kind: 'breaker',
      key,
      generation: entry.generation,
      state: entry.state,
    };
    pipeline.cbSetBreakerIfNewer(
      breakerKey(key),
      breakerIndex,
      key,
      entry.generation,
      entry.state.updatedAt,
      JSON.stringify(entry.state),
      breakerTtlMs,
      channel,
      JSON.stringify(message),
    );
  };
  const queueStatsWrite = (pipeline: ReturnType<typeof client.pipeline>, key: string, stats: DeploymentStats) => {
    const message: StateMessage = { origin: instanceId, kind: 'stats', key, stats };
    const ttl = statsStaleMs * 2;
    pipeline.hset(statsKey(key), instanceId, JSON.stringify({ at: Date.now(), stats }));
    pipeline.pexpire(statsKey(key), ttl);
    pipeline.sadd(statsIndex, key);
    pipeline.pexpire(statsIndex, breakerTtlMs);
    pipeline.publish(channel, JSON.stringify(message));
  };

  /** Sends the queued changes as one pipeline; while degraded, drops them (resync sends the latest later). */
  const writePending = (kinds: { breakers: boolean; stats: boolean }) => {
    if (closed) return;
    const breakerKeys = kinds.breakers ? [...pendingBreakers] : [];
    const statsKeys = kinds.stats ? [...pendingStats] : [];
    for (const key of breakerKeys) pendingBreakers.delete(key);
    for (const key of statsKeys) pendingStats.delete(key);
    if (!connection.isUp() || breakerKeys.length + statsKeys.length === 0) return;
    const pipeline = client.pipeline();
    for (const key of breakerKeys) queueBreakerWrite(pipeline as unknown as ScriptedPipeline, key, breakers.get(key)!);
    for (const key of statsKeys) {
      const stats = ownStats.get(key);
      if (stats) queueStatsWrite(pipeline, key, stats);
    }
    writing = execute(pipeline);
  };
  const execute = async (pipeline: ReturnType<typeof client.pipeline>) => {
    try {
      const results = (await pipeline.exec()) ?? [];
      const failed = results.find(([error]) => error);
      if (failed) connection.reportFailure(failed[0]);
      else connection.reportSuccess();
    } catch (error) {
      connection.reportFailure(error);
    }
  };

  const scheduleBreakerWrite = (key: string) => {
    pendingBreakers.add(key);
    if (breakerFlushScheduled) return;
    breakerFlushScheduled = true;
    // One pipeline for every change of this turn of the event loop: coalesced, yet sent within the same tick.
    setImmediate(() => {
      breakerFlushScheduled = false;
      writePending({ breakers: true, stats: false });
    });
  };

  const statsTimer = setInterval(() => writePending({ breakers: false, stats: true }), options.statsFlushMs ?? 50);
  statsTimer.unref();
  const heartbeatTimer = setInterval(() => {
    for (const key of ownStats.keys()) pendingStats.add(key);
  }, options.statsHeartbeatMs ?? 2_000);
  heartbeatTimer.unref();

  const onMessage = (messageChannel: string, raw: string) => {
    if (messageChannel !== channel) return;
    const message = parseMessage(raw);
    if (!message || message.origin === instanceId) return;
    if (message.kind === 'breaker') applyBreaker(message.key, message);
    else applyStats(message.key, message.origin, message.stats, Date.now());
  };
  connection.subscriber.on('message', onMessage);
  connection.subscriber.subscribe(channel).catch((error: unknown) => {
    logger?.debug({ err: error }, 'Redis subscribe failed; retried on reconnect');
  });

  async function resync(): Promise<void> {
    if (closed || !connection.isUp()) return;
    try {
      const push = client.pipeline();
      for (const [key, entry] of breakers) queueBreakerWrite(push as unknown as ScriptedPipeline, key, entry);
      for (const [key, stats] of ownStats) queueStatsWrite(push, key, stats);
      await execute(push);

      const [breakerKeys, statsKeys] = await Promise.all([client.smembers(breakerIndex), client.smembers(statsIndex)]);
      const pull = client.pipeline();
      for (const key of breakerKeys) pull.hmget(breakerKey(key), 'g', 'v');
      for (const key of statsKeys) pull.hgetall(statsKey(key));
      const results = (await pull.exec()) ?? [];
      breakerKeys.forEach((key, index) => {
        const [error, value] = results[index] ?? [];
        if (error || !Array.isArray(value) || value[0] === null) return;
        const state = parseJson(value[1] as string);
        if (isBreakerState(state)) applyBreaker(key, { state, generation: Number(value[0]) });
      });
      const oldest = Date.now() - statsStaleMs;
      statsKeys.forEach((key, index) => {
        const [error, value] = results[breakerKeys.length + index] ?? [];
        if (error || typeof value !== 'object' || value === null) return;
        for (const [instance, raw] of Object.entries(value as Record<string, string>)) {
          const entry = parseJson(raw) as { at?: unknown; stats?: unknown } | undefined;
          if (typeof entry?.at !== 'number' || entry.at < oldest || !isDeploymentStats(entry.stats)) continue;
          applyStats(key, instance, entry.stats, entry.at);
        }
      });
    } catch (error) {
      connection.reportFailure(error);
    }
  }
  let lateResync: NodeJS.Timeout | undefined;
  const stopRecover = connection.onRecover(() => {
    void resync();
    // Once more a moment later: what others pushed while this instance's subscription was being restored.
    clearTimeout(lateResync);
    lateResync = setTimeout(() => void resync(), 1_000);
    lateResync.unref();
  });
  if (connection.isUp()) void resync();

  return {
    instanceId,
    getBreaker: (key) => breakers.get(key)?.state,
    updateBreaker(key, update) {
      const current = breakers.get(key);
      const previous = current?.state;
      const next = update(previous);
      if (next === previous) return next;
      const statusChanged = previous === undefined || previous.state !== next.state;
      breakers.set(key, { state: next, generation: (current?.generation ?? 0) + (statusChanged ? 1 : 0) });
      notify({ kind: 'breaker', key, state: next, previous, source: 'local' });
      scheduleBreakerWrite(key);
      return next;
    },
    getStats: clusterStats,
    updateStats(key, update) {
      const own = ownStats.get(key);
      const next = update(own);
      if (next === own) return clusterStats(key) ?? next;
      const previous = clusterStats(key);
      ownStats.set(key, next);
      pendingStats.add(key);
      const merged = clusterStats(key)!;
      notify({ kind: 'stats', key, stats: merged, previous, source: 'local' });
      return merged;
    },
    listBreakers: () => [...breakers].map(([key, entry]): [string, BreakerState] => [key, entry.state]),
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    resync,
    async flush() {
      writePending({ breakers: true, stats: true });
      await writing;
    },
    async close() {
      if (closed) return;
      await this.flush().catch(() => {});
      closed = true;
      clearInterval(statsTimer);
      clearInterval(heartbeatTimer);
      clearTimeout(lateResync);
      stopRecover();
      connection.subscriber.off('message', onMessage);
      listeners.clear();
    },
  };
}

function isNewer(incoming: VersionedBreaker, current: VersionedBreaker): boolean {
  if (incoming.generation !== current.generation) return incoming.generation > current.generation;
  return incoming.state.updatedAt > current.state.updatedAt;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Validates a pub/sub message: another instance may run another version, or something else may publish. */
function parseMessage(raw: string): StateMessage | undefined {
  const message = parseJson(raw) as Partial<Record<string, unknown>> | undefined;
  if (!message || typeof message.origin !== 'string' || typeof message.key !== 'string') return undefined;
  if (message.kind === 'breaker' && typeof message.generation === 'number' && isBreakerState(message.state)) {
    return message as StateMessage;
  }
  if (message.kind === 'stats' && isDeploymentStats(message.stats)) return message as StateMessage;
  return undefined;
}
