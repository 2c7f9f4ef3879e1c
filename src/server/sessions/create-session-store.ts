import { randomUUID } from 'node:crypto';
import type { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';
import type { RoutingMetadata } from '../../core/types/chat-chunk.js';
import { GatewayShuttingDownError } from '../errors/gateway-errors.js';
import {
  type CreateStreamSessionOptions,
  createStreamSession,
  type SessionJournal,
  type SessionSubscriber,
  type StreamSession,
  type StreamSummary,
} from './create-stream-session.js';
import { TooManyStreamsError } from './session-errors.js';
import type { SessionSettings } from './session-settings.js';

/**
 * Resumable sessions shared with other gateway instances: frames journaled as they go, sessions found and removed
 * across instances, cancels delivered to the instance running the stream (the Redis journal in src/node/redis).
 */
export interface SharedSessionJournal {
  open(meta: { id: string; owner: string; model: string; servedBy: () => RoutingMetadata | undefined }): SessionJournal;
  find(id: string, owner: string): Promise<StreamSession | undefined>;
  remove(id: string): Promise<void>;
  onCancel(listener: (id: string, owner: string) => void): () => void;
  /** Repeated while a reader on another instance follows a session: see `SessionStore.holdForRemoteReader`. */
  onRemoteReader?(listener: (id: string, owner: string) => void): () => void;
}

/** How long a remote reader counts as attached after its last announcement (three of its heartbeats). */
const REMOTE_READER_LEASE_MS = 6_000;

/** Every session of one gateway, by id, with the caps and the retention of finished ones. */
export interface SessionStore {
  readonly settings: Readonly<SessionSettings>;
  /** Starts a session on a router stream. Throws `TooManyStreamsError` when `maxSessions` are all live. */
  create(
    options: Pick<CreateStreamSessionOptions, 'owner' | 'model' | 'stream' | 'encoder' | 'resumable' | 'tap'>,
  ): StreamSession;
  /** The session if it exists and `owner` started it; undefined otherwise (the caller cannot tell which). */
  get(id: string, owner: string): StreamSession | undefined;
  /** As `get`, then among the sessions other gateway instances run (`findRemote`), for resume and cancel. */
  find(id: string, owner: string): Promise<StreamSession | undefined>;
  /** `owner`'s sessions, oldest first. */
  list(owner: string): StreamSummary[];
  /** Forgets a session now (aborting it if live), here and, when journaled, for the other instances too. */
  remove(id: string): void;
  /** Sessions held, live and finished. */
  size(): number;
  /** Sessions whose stream is still running (attached or detached). */
  liveCount(): number;
  /** Live sessions with nobody attached (generating for a reconnect). */
  detachedCount(): number;
  /**
   * A reader on another instance follows this live session through the journal: it counts as attached here (the
   * detach timeout does not run) until its announcements stop for `REMOTE_READER_LEASE_MS`.
   */
  holdForRemoteReader(id: string, owner: string): void;
  /** Aborts every live session (shutdown). */
  abortAll(reason?: CircuitBreakerError): void;
  /** Aborts everything and clears every timer: the store holds nothing afterwards. */
  close(): void;
}

/**
 * The session store. Finished sessions are kept in finish order, so that at `maxSessions` the oldest finished one
 * is evicted in O(1); when every held session is live, a new stream is refused with a 503 rather than evicting a
 * live session's resumability (see docs/decisions/0003-resumable-sessions.md). A finished resumable session stays
 * `retentionMs` (an unref'd timer, cleared on removal); a finished non-resumable one has nothing to read and goes
 * at once, so the common, non-resumable stream costs no timer at all.
 */
export function createSessionStore(
  settings: SessionSettings,
  hooks: {
    /** Opens the journal of a new resumable session (several gateway instances sharing resumes). */
    openJournal?: (meta: {
      id: string;
      owner: string;
      model: string;
      servedBy: () => RoutingMetadata | undefined;
    }) => SessionJournal;
    /** A session another instance runs or ran (read from the journal), when this instance has no such session. */
    findRemote?: (id: string, owner: string) => Promise<StreamSession | undefined>;
    /** Forgets a journaled session for every instance. */
    removeRemote?: (id: string) => void;
  } = {},
): SessionStore {
  const sessions = new Map<string, StreamSession>();
  const finished = new Map<string, StreamSession>();
  const retentionTimers = new Map<string, NodeJS.Timeout>();
  const journaled = new Set<string>();
  const remoteLeases = new Map<string, NodeJS.Timeout>();

  /** A stand-in subscriber for the remote reader: frames reach it through the journal, not through this. */
  function holdForRemoteReader(id: string, owner: string): void {
    const lease = remoteLeases.get(id);
    if (lease) {
      lease.refresh();
      return;
    }
    const session = sessions.get(id);
    if (!session || session.owner !== owner || session.ended) return;
    let closed = false;
    const release = () => {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      remoteLeases.delete(id);
      session.detach(standIn);
    };
    const standIn: SessionSubscriber = {
      get closed() {
        return closed;
      },
      write: () => true,
      drained: async () => {},
      end: release,
      fail: release,
    };
    const timer = setTimeout(release, REMOTE_READER_LEASE_MS);
    timer.unref();
    remoteLeases.set(id, timer);
    void session.attach(standIn, session.summary().last_event_id).catch(release);
  }

  function remove(id: string): void {
    if (journaled.delete(id) || !sessions.has(id)) hooks.removeRemote?.(id);
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    finished.delete(id);
    const timer = retentionTimers.get(id);
    if (timer) {
      clearTimeout(timer);
      retentionTimers.delete(id);
    }
    if (!session.ended) session.abort(new GatewayShuttingDownError());
  }

  function onEnd(session: StreamSession, started: boolean): void {
    if (!sessions.has(session.id)) return;
    if (!started || !session.resumable || settings.retentionMs === 0) {
      // Gone here at once; the journal's copy expires by itself (it may be mid-flight to Redis right now).
      journaled.delete(session.id);
      remove(session.id);
      return;
    }
    finished.set(session.id, session);
    const timer = setTimeout(() => remove(session.id), settings.retentionMs);
    timer.unref();
    retentionTimers.set(session.id, timer);
  }

  function makeRoom(): void {
    if (sessions.size < settings.maxSessions) return;
    const oldest = finished.keys().next();
    if (oldest.done) throw new TooManyStreamsError(settings.maxSessions);
    remove(oldest.value);
  }

  function abortAll(reason: CircuitBreakerError = new GatewayShuttingDownError()): void {
    for (const session of sessions.values()) if (!session.ended) session.abort(reason);
  }

  return {
    settings,
    create(options) {
      makeRoom();
      const id = `stream_${randomUUID().replaceAll('-', '')}`;
      const journal =
        options.resumable && hooks.openJournal
          ? hooks.openJournal({
              id,
              owner: options.owner,
              model: options.model,
              servedBy: () => options.stream.servedBy,
            })
          : undefined;
      // Every field named, not `...options`: the spread gave each session's options object a hidden class of its own
      // (~0.4 KB per open stream, memory probe), held for the stream's life.
      const session = createStreamSession({
        id,
        owner: options.owner,
        model: options.model,
        stream: options.stream,
        encoder: options.encoder,
        resumable: options.resumable,
        tap: options.tap,
        journal,
        detachTimeoutMs: settings.detachTimeoutMs,
        maxEvents: settings.maxEvents,
        maxBytes: settings.maxBytes,
        onEnd,
      });
      if (journal) journaled.add(id);
      // A stream that failed synchronously has already ended: then there is nothing to keep.
      if (!session.ended) sessions.set(session.id, session);
      return session;
    },
    get(id, owner) {
      const session = sessions.get(id);
      return session && session.owner === owner ? session : undefined;
    },
    async find(id, owner) {
      const session = sessions.get(id);
      if (session) return session.owner === owner ? session : undefined;
      return hooks.findRemote?.(id, owner);
    },
    list(owner) {
      const summaries: StreamSummary[] = [];
      for (const session of sessions.values()) if (session.owner === owner) summaries.push(session.summary());
      return summaries;
    },
    remove,
    holdForRemoteReader,
    size: () => sessions.size,
    liveCount: () => sessions.size - finished.size,
    detachedCount() {
      let count = 0;
      for (const session of sessions.values()) if (session.state === 'detached') count += 1;
      return count;
    },
    abortAll,
    close() {
      abortAll();
      for (const timer of retentionTimers.values()) clearTimeout(timer);
      retentionTimers.clear();
      for (const timer of remoteLeases.values()) clearTimeout(timer);
      remoteLeases.clear();
      sessions.clear();
      finished.clear();
      journaled.clear();
    },
  };
}
