import type { RoutingMetadata } from '../../core/types/chat-chunk.js';
import type { SessionState, StreamSession } from '../../server/sessions/create-stream-session.js';
import type { RedisConnection } from './create-redis-connection.js';
import { createRemoteStreamSession, type RemoteSessionMeta } from './create-remote-stream-session.js';

/** The writing side of one session's journal: called from the session's pump, never waits, never throws. */
export interface SessionJournalWriter {
  /** Queues the frame at `position` (the SSE `id:` it carries); sent with the others of this event-loop turn. */
  append(position: number, frame: string): void;
  /** The stream ended: readers elsewhere see the end after the last frame. */
  end(state: SessionState): void;
  /** The session stopped being resumable (over a cap): readers elsewhere get "not resumable" too. */
  drop(): void;
}

/** Options of {@link createRedisSessionJournal}. */
export interface RedisSessionJournalOptions {
  connection: RedisConnection;
  /** Which instance holds the live sessions it writes (shown in meta, for operators). */
  instanceId: string;
  /** How long a finished session's events stay readable: the sessions' `retentionMs`. */
  retentionMs: number;
  /** The sessions' caps: frames queued while Redis is away are bounded by them too. */
  maxEvents: number;
  maxBytes: number;
  /** A live session's keys expire this long after its last write (a crashed instance leaves nothing forever). */
  liveTtlMs?: number;
  /** Sessions whose writes wait for Redis at once; past it the oldest give up (a long outage stays bounded). Default 10 000. */
  maxPendingSessions?: number;
}

/**
 * Resumable sessions through Redis, for a gateway of several instances: each resumable session's frames go to a
 * Redis Stream (`<prefix>session:<id>:events`, entry id `0-<position + 1>` so `Last-Event-ID` maps straight to a
 * range) beside a meta hash (owner, model, state, who serves it), so a reconnect that lands on another instance
 * replays and tails it there; `DELETE` on any instance reaches the one running the stream through pub/sub.
 *
 * The hot path never waits: frames are queued and every session's frames of one event-loop turn go out in one
 * pipeline (XADD per frame, one PUBLISH per session to wake tailing readers). While Redis is away frames stay
 * queued, bounded by the session caps, and go out when it returns; past the caps the journal gives up and that
 * session is no longer resumable elsewhere (it still is on its own instance).
 */
export interface RedisSessionJournal {
  open(meta: {
    id: string;
    owner: string;
    model: string;
    servedBy: () => RoutingMetadata | undefined;
  }): SessionJournalWriter;
  /** A session another instance runs (or ran, within retention), when `owner` started it. */
  find(id: string, owner: string): Promise<StreamSession | undefined>;
  /** Forgets a finished session everywhere. */
  remove(id: string): Promise<void>;
  /** Another instance was asked to cancel `id` for `owner`: abort it here if it runs here. */
  onCancel(listener: (id: string, owner: string) => void): () => void;
  /** A reader on another instance follows `id` (repeated while it does): count it as attached here. */
  onRemoteReader(listener: (id: string, owner: string) => void): () => void;
  /** Sends what is queued. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

interface OpenSession {
  id: string;
  owner: string;
  model: string;
  servedBy: () => RoutingMetadata | undefined;
  queue: { position: number; frame: string }[];
  queuedBytes: number;
  metaWritten: boolean;
  servedByWritten: boolean;
  final?: { state: SessionState; position: number };
  dropped: boolean;
  /** Gave up (queue over the caps while Redis was away): write only the drop, then nothing. */
  brokenReported: boolean;
  nextPosition: number;
}

export function createRedisSessionJournal(options: RedisSessionJournalOptions): RedisSessionJournal {
  const { connection } = options;
  const client = connection.client;
  const prefix = connection.keyPrefix;
  const liveTtlMs = options.liveTtlMs ?? 60 * 60 * 1000;
  const keys = (id: string) => ({
    events: `${prefix}session:${id}:events`,
    meta: `${prefix}session:${id}:meta`,
    notify: `${prefix}session:${id}:notify`,
  });
  const controlChannel = `${prefix}session-control`;
  /** One wake-up channel for all sessions (the message is the id): one subscription, however many readers. */
  const notifyChannel = `${prefix}session-notify`;
  const dirty = new Map<string, OpenSession>();
  /** Sessions whose end is not yet in Redis: their meta is written again after an outage (Redis may be empty). */
  const live = new Set<OpenSession>();
  const cancelListeners = new Set<(id: string, owner: string) => void>();
  const readerListeners = new Set<(id: string, owner: string) => void>();
  let scheduled = false;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  // Tailing readers: wake-ups by session id, over the connection's one subscriber.
  const wakers = new Map<string, Set<() => void>>();
  const onMessage = (channel: string, message: string) => {
    if (channel === controlChannel) {
      const parsed = safeParse(message) as { id?: unknown; owner?: unknown; kind?: unknown } | undefined;
      if (typeof parsed?.id === 'string' && typeof parsed.owner === 'string') {
        const listeners = parsed.kind === 'reader' ? readerListeners : cancelListeners;
        for (const listener of [...listeners]) listener(parsed.id, parsed.owner);
      }
      return;
    }
    if (channel === notifyChannel) for (const wake of wakers.get(message) ?? []) wake();
  };
  connection.subscriber.on('message', onMessage);
  connection.subscriber.subscribe(controlChannel, notifyChannel).catch(() => {});

  const maxPendingSessions = options.maxPendingSessions ?? 10_000;
  const schedule = (session: OpenSession) => {
    dirty.set(session.id, session);
    if (dirty.size > maxPendingSessions) forgetOldestPending();
    if (scheduled || closed) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      writing = writeDirty();
    });
  };

  /** A long outage: the oldest waiting session is no longer journaled (it stays resumable on its own instance). */
  function forgetOldestPending(): void {
    const oldest = dirty.values().next().value;
    if (!oldest) return;
    dirty.delete(oldest.id);
    live.delete(oldest);
    oldest.queue = [];
    oldest.dropped = true;
    oldest.brokenReported = true;
  }

  async function writeDirty(): Promise<void> {
    if (dirty.size === 0 || !connection.isUp()) return;
    const batch = [...dirty.values()];
    dirty.clear();
    const pipeline = client.pipeline();
    const sent = new Map<OpenSession, { position: number; frame: string }[]>();
    for (const session of batch) {
      const key = keys(session.id);
      if (!session.metaWritten) {
        pipeline.hset(key.meta, {
          owner: session.owner,
          model: session.model,
          state: 'streaming',
          resumable: '1',
          instance: options.instanceId,
          startedAt: String(Math.floor(Date.now() / 1000)),
        });
        session.metaWritten = true;
      }
      const servedBy = session.servedByWritten ? undefined : session.servedBy();
      if (servedBy) {
        pipeline.hset(key.meta, 'servedBy', JSON.stringify(servedBy));
        session.servedByWritten = true;
      }
      if (session.dropped && !session.brokenReported) {
        // The events are gone: the meta keeps the position reached, so a resume after it is still refused cleanly.
        pipeline.hset(key.meta, 'resumable', '0', 'last', String(session.nextPosition - 1));
        pipeline.del(key.events);
        session.brokenReported = true;
      }
      const frames = session.dropped ? [] : session.queue.splice(0);
      session.queuedBytes = 0;
      sent.set(session, frames);
      for (const { position, frame } of frames) pipeline.xadd(key.events, `0-${position + 1}`, 'f', frame);
      if (session.final) {
        if (!session.dropped) pipeline.xadd(key.events, `0-${session.final.position + 1}`, 'end', session.final.state);
        pipeline.hset(key.meta, 'state', session.final.state);
        if (session.dropped) pipeline.hset(key.meta, 'last', String(session.final.position - 1));
        pipeline.pexpire(key.events, options.retentionMs);
        pipeline.pexpire(key.meta, options.retentionMs);
      } else {
        pipeline.pexpire(key.events, liveTtlMs);
        pipeline.pexpire(key.meta, liveTtlMs);
      }
      pipeline.publish(notifyChannel, session.id);
    }
    try {
      const results = (await pipeline.exec()) ?? [];
      // Re-sent frames (after a failed batch) are already there: Redis refuses the same id again, which is fine.
      const failure = results.find(([error]) => error && !String(error.message).includes('equal or smaller'));
      if (failure) throw failure[0];
      connection.reportSuccess();
      for (const session of batch) if (session.final) live.delete(session);
    } catch (error) {
      connection.reportFailure(error);
      // Keep what was not confirmed for the next try, within the caps.
      for (const [session, frames] of sent) {
        session.queue.unshift(...frames);
        session.queuedBytes = session.queue.reduce((sum, item) => sum + item.frame.length, 0);
        session.metaWritten = false;
        session.servedByWritten = false;
        if (session.queue.length > options.maxEvents || session.queuedBytes > options.maxBytes) {
          session.queue = [];
          session.dropped = true;
          session.brokenReported = false;
        }
        dirty.set(session.id, session);
      }
      while (dirty.size > maxPendingSessions) forgetOldestPending();
    }
  }
  const stopRecover = connection.onRecover(() => {
    for (const session of live) {
      session.metaWritten = false;
      session.servedByWritten = false;
      session.brokenReported = false;
      dirty.set(session.id, session);
    }
    while (dirty.size > maxPendingSessions) forgetOldestPending();
    if (dirty.size > 0) writing = writeDirty();
  });

  async function readMeta(id: string): Promise<RemoteSessionMeta | undefined> {
    if (!connection.isUp()) return undefined;
    try {
      const key = keys(id);
      const [meta, last] = await Promise.all([
        client.hgetall(key.meta),
        client.xrevrange(key.events, '+', '-', 'COUNT', 1),
      ]);
      if (!meta.owner) return undefined;
      const lastId = last[0]?.[0];
      const lastFields = last[0]?.[1] ?? [];
      const lastSequence = lastId ? Number(lastId.split('-')[1]) : 0;
      // The end marker takes the position after the last frame.
      const lastEventId =
        meta.resumable === '0' && meta.last !== undefined
          ? Number(meta.last)
          : lastFields[0] === 'end'
            ? lastSequence - 2
            : lastSequence - 1;
      return {
        id,
        owner: meta.owner,
        model: meta.model ?? '',
        state: (meta.state ?? 'streaming') as SessionState,
        resumable: meta.resumable !== '0',
        servedBy: meta.servedBy ? (safeParse(meta.servedBy) as RoutingMetadata) : undefined,
        startedAt: Number(meta.startedAt ?? 0),
        lastEventId,
      };
    } catch (error) {
      connection.reportFailure(error);
      return undefined;
    }
  }

  return {
    open(meta) {
      const session: OpenSession = {
        ...meta,
        queue: [],
        queuedBytes: 0,
        metaWritten: false,
        servedByWritten: false,
        dropped: false,
        brokenReported: false,
        nextPosition: 0,
      };
      live.add(session);
      schedule(session);
      return {
        append(position, frame) {
          session.nextPosition = position + 1;
          if (session.dropped) return;
          session.queue.push({ position, frame });
          session.queuedBytes += frame.length;
          schedule(session);
        },
        end(state) {
          session.final = { state, position: session.nextPosition };
          schedule(session);
        },
        drop() {
          if (session.dropped) return;
          session.dropped = true;
          session.queue = [];
          schedule(session);
        },
      };
    },
    async find(id, owner) {
      const meta = await readMeta(id);
      if (!meta || meta.owner !== owner) return undefined;
      return createRemoteStreamSession({
        meta,
        readEvents: async (after) => {
          const entries = await client.xrange(keys(id).events, `0-${after + 2}`, '+', 'COUNT', 256);
          return entries.map(([entryId, fields]) => ({
            position: Number(entryId.split('-')[1]) - 1,
            frame: fields[0] === 'f' ? fields[1] : undefined,
            end: fields[0] === 'end' ? (fields[1] as SessionState) : undefined,
          }));
        },
        readMeta: () => readMeta(id),
        arm(timeoutMs) {
          const set = wakers.get(id) ?? new Set<() => void>();
          wakers.set(id, set);
          let wake = () => {};
          const wait = new Promise<void>((resolve) => {
            wake = () => {
              clearTimeout(timer);
              set.delete(wake);
              if (set.size === 0) wakers.delete(id);
              resolve();
            };
          });
          const timer = setTimeout(wake, timeoutMs);
          set.add(wake);
          return { wait, cancel: wake };
        },
        cancel: async () => {
          await client.publish(controlChannel, JSON.stringify({ kind: 'cancel', id, owner }));
        },
        announceReader: async () => {
          if (connection.isUp()) await client.publish(controlChannel, JSON.stringify({ kind: 'reader', id, owner }));
        },
      });
    },
    async remove(id) {
      if (!connection.isUp()) return;
      await client.del(keys(id).events, keys(id).meta).catch((error: unknown) => connection.reportFailure(error));
    },
    onCancel(listener) {
      cancelListeners.add(listener);
      return () => cancelListeners.delete(listener);
    },
    onRemoteReader(listener) {
      readerListeners.add(listener);
      return () => readerListeners.delete(listener);
    },
    async flush() {
      await writing;
      writing = writeDirty();
      await writing;
    },
    async close() {
      await this.flush().catch(() => {});
      closed = true;
      stopRecover();
      cancelListeners.clear();
      readerListeners.clear();
      connection.subscriber.off('message', onMessage);
    },
  };
}

function safeParse(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}
