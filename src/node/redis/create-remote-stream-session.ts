import type { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';
import type { RoutingMetadata } from '../../core/types/chat-chunk.js';
import type {
  SessionState,
  SessionSubscriber,
  StreamSession,
  StreamSummary,
} from '../../server/sessions/create-stream-session.js';
import { StreamNotResumableError } from '../../server/sessions/session-errors.js';

/** What the meta hash of a journaled session says. */
export interface RemoteSessionMeta {
  id: string;
  owner: string;
  model: string;
  state: SessionState;
  resumable: boolean;
  servedBy: RoutingMetadata | undefined;
  /** Unix seconds. */
  startedAt: number;
  lastEventId: number;
}

/** One journal entry: a frame at `position`, or the end marker. */
export interface JournalEntry {
  position: number;
  frame?: string;
  end?: SessionState;
}

/** How a remote session reads its journal (Redis in production, anything in a test). */
export interface RemoteStreamSessionSource {
  meta: RemoteSessionMeta;
  /** Entries after position `after`, oldest first, a page at a time. */
  readEvents(after: number): Promise<JournalEntry[]>;
  readMeta(): Promise<RemoteSessionMeta | undefined>;
  /** Arms a wake-up for new entries (or the timeout); arm before reading so nothing written in between is missed. */
  arm(timeoutMs: number): { wait: Promise<void>; cancel(): void };
  /** Asks the instance running the stream to cancel it. */
  cancel(): Promise<void>;
  /** Tells the instance running the stream that a reader follows it from here (so it does not time the stream out). */
  announceReader(): Promise<void>;
}

/** How long a tailing reader waits for a wake-up before it looks again (a lost wake-up costs this much). */
const POLL_MS = 250;
/** How often a tailing reader tells the running instance it is there (its lease there lasts three times this). */
export const REMOTE_READER_HEARTBEAT_MS = 2_000;

/**
 * A session that another gateway instance runs, read from its journal: the same {@link StreamSession} the routes
 * already serve (resume replays from the journal, then tails it; cancel asks the owning instance), so nothing in
 * the routes knows where a stream runs. If the journal becomes unreadable mid-resume (Redis gone, retention over)
 * the response ends; the client reconnects with its `Last-Event-ID` as after any drop.
 */
export function createRemoteStreamSession(source: RemoteStreamSessionSource): StreamSession {
  let meta = source.meta;
  const readers = new Set<SessionSubscriber>();
  const isFinal = (state: SessionState) => state === 'completed' || state === 'failed' || state === 'cancelled';

  async function replay(subscriber: SessionSubscriber, after: number): Promise<void> {
    let cursor = after;
    let wrote = false;
    let announcedAt = 0;
    const refuse = () => {
      if (!wrote) throw new StreamNotResumableError(meta.id);
      subscriber.end();
    };
    while (readers.has(subscriber) && !subscriber.closed) {
      if (!isFinal(meta.state) && Date.now() - announcedAt >= REMOTE_READER_HEARTBEAT_MS) {
        announcedAt = Date.now();
        void source.announceReader().catch(() => {});
      }
      const wake = source.arm(POLL_MS);
      let entries: JournalEntry[];
      try {
        entries = await source.readEvents(cursor);
      } catch {
        wake.cancel();
        return subscriber.end();
      }
      if (entries.length === 0) {
        const fresh = await source.readMeta().catch(() => undefined);
        if (!fresh) {
          wake.cancel();
          return subscriber.end();
        }
        meta = fresh;
        if (!fresh.resumable) {
          wake.cancel();
          return refuse();
        }
        if (isFinal(fresh.state) && fresh.lastEventId <= cursor) {
          wake.cancel();
          return subscriber.end();
        }
        await wake.wait;
        continue;
      }
      wake.cancel();
      for (const entry of entries) {
        if (entry.end) {
          meta = { ...meta, state: entry.end };
          return subscriber.end();
        }
        if (entry.position !== cursor + 1 || entry.frame === undefined) return refuse();
        const ok = subscriber.write(entry.frame);
        wrote = true;
        cursor = entry.position;
        if (!ok) await subscriber.drained();
        if (subscriber.closed || !readers.has(subscriber)) return;
      }
    }
  }

  const session: StreamSession = {
    id: meta.id,
    owner: meta.owner,
    get state() {
      return meta.state;
    },
    get resumable() {
      return meta.resumable;
    },
    get servedBy() {
      return meta.servedBy;
    },
    get ended() {
      return isFinal(meta.state);
    },
    async attach(subscriber, after) {
      if (!meta.resumable && after < meta.lastEventId) throw new StreamNotResumableError(meta.id);
      readers.add(subscriber);
      try {
        await replay(subscriber, after);
      } finally {
        readers.delete(subscriber);
      }
    },
    detach(subscriber) {
      readers.delete(subscriber);
    },
    abort(_reason: CircuitBreakerError) {
      void source.cancel().catch(() => {});
    },
    bufferedBytes: () => 0,
    summary: (): StreamSummary => ({
      id: meta.id,
      object: 'stream',
      model: meta.model,
      provider: meta.servedBy?.provider ?? null,
      deployment: meta.servedBy?.deployment ?? null,
      started_at: meta.startedAt,
      tokens: 0,
      state: meta.state,
      resumable: meta.resumable,
      last_event_id: meta.lastEventId,
    }),
  };
  return session;
}
