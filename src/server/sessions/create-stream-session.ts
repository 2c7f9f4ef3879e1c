import type { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';
import { CancelledError } from '../../core/errors/request-errors.js';
import type { ChatCompletionStream } from '../../core/router/chat-completion-stream.js';
import { encodeSseEvent } from '../../core/sse/encode-sse.js';
import type { ChatCompletionChunk, RoutingMetadata } from '../../core/types/chat-chunk.js';
import { toGatewayError } from '../errors/gateway-errors.js';
import { StreamNotResumableError } from './session-errors.js';
import type { SessionEvent, SessionEventEncoder } from './session-event-encoder.js';

/** `streaming`: a client is attached; `detached`: generating for nobody (resumable only); the rest are final. */
export type SessionState = 'streaming' | 'detached' | 'completed' | 'failed' | 'cancelled';

/** A reader of a session: an SSE response (or a test). The session pushes frames; nothing queues in between. */
export interface SessionSubscriber {
  /** True once the client went away: nothing more is written to it. */
  readonly closed: boolean;
  /** Writes one SSE frame; false when the client's buffer is over its high-water mark. */
  write(frame: string): boolean;
  /** Resolves when the client's buffer drained, or when it closed. */
  drained(): Promise<void>;
  /** The session ended after its final frame was written. */
  end(): void;
  /**
   * The stream failed before its first chunk: the session is gone. `frame` is the error event for a reader whose
   * headers are out; one whose are not answers with a clean HTTP error instead.
   */
  fail(error: CircuitBreakerError, frame: string): void;
}

/** What `GET /v1/streams` shows of a session. */
export interface StreamSummary {
  id: string;
  object: 'stream';
  model: string;
  provider: string | null;
  deployment: string | null;
  /** Unix seconds. */
  started_at: number;
  /** Content chunks so far (≈ tokens); the upstream's completion token count once it reported one. */
  tokens: number;
  state: SessionState;
  resumable: boolean;
  /** The position of the last event so far (`-1` before the first): what `Last-Event-ID` refers to. */
  last_event_id: number;
}

export interface StreamSession {
  readonly id: string;
  /** The key identity that started it; the only one that may see it. */
  readonly owner: string;
  readonly state: SessionState;
  readonly resumable: boolean;
  readonly servedBy: RoutingMetadata | undefined;
  /** Whether the stream is over (completed, failed or cancelled). */
  readonly ended: boolean;
  /**
   * Adds a reader that has every event up to `after` (`-1`: none): buffered events after it are written first,
   * with backpressure, then the live continuation. Throws `StreamNotResumableError` when events it lacks are gone.
   */
  attach(subscriber: SessionSubscriber, after: number): Promise<void>;
  /** Removes a reader (its client went away). The last one leaving detaches or, not resumable, aborts the stream. */
  detach(subscriber: SessionSubscriber): void;
  /** Aborts the upstream now; readers get the format's error event for `reason`, then the end. */
  abort(reason: CircuitBreakerError): void;
  /** The bytes the buffer holds (0 when not resumable). */
  bufferedBytes(): number;
  summary(): StreamSummary;
}

/** How a session's stream ended: its final state, and the error when it failed or was cancelled. */
export interface SessionOutcome {
  state: Extract<SessionState, 'completed' | 'failed' | 'cancelled'>;
  error?: CircuitBreakerError;
}

/**
 * Who watches a session's chunks go by (observability's per-request tap, through serveStreamSession): never blocks,
 * never throws. `end` is called once, when the stream ended, which for a resumable session generating detached is
 * after its request is long over: what it produced meanwhile is counted too.
 */
export interface SessionTap {
  streamStart(): void;
  chunk(chunk: ChatCompletionChunk): void;
  end(outcome: SessionOutcome): void;
}

/**
 * Where a resumable session's frames also go, so another gateway instance can serve a resume (the Redis journal
 * in src/node/redis fits): called from the pump, never waits, never throws.
 */
export interface SessionJournal {
  append(position: number, frame: string): void;
  end(state: SessionState): void;
  /** The session stopped being resumable (over a cap). */
  drop(): void;
}

export interface CreateStreamSessionOptions {
  id: string;
  owner: string;
  model: string;
  stream: ChatCompletionStream;
  encoder: SessionEventEncoder;
  resumable: boolean;
  tap?: SessionTap;
  /** Only for a resumable session. */
  journal?: SessionJournal;
  detachTimeoutMs: number;
  maxEvents: number;
  maxBytes: number;
  /** Called once when the stream ended; `started` is false when it failed before its first chunk. */
  onEnd(session: StreamSession, started: boolean): void;
}

/**
 * A session: a pump that pulls the router stream one read's chunks at a time, serializes each event once (with `id:` =
 * its position) and hands the frame to the attached readers and, when resumable, to a bounded buffer.
 * Backpressure: while readers are attached the pump waits for the slow ones' sockets to drain; detached, it goes on
 * into the buffer until `detachTimeoutMs`, then aborts. Over `maxEvents`/`maxBytes` the buffer is dropped (the
 * session stops being resumable, and is aborted if nobody reads it): memory stays bounded whatever the stream does.
 * No per-event timers: one detach timer exists only while detached.
 */
export function createStreamSession(options: CreateStreamSessionOptions): StreamSession {
  const { stream, encoder } = options;
  const startedAt = Math.floor(Date.now() / 1000);
  const subscribers = new Set<SessionSubscriber>();
  const pressured = new Set<SessionSubscriber>();
  let buffer: string[] | undefined = options.resumable ? [] : undefined;
  let bytes = 0;
  let position = 0;
  let tokens = 0;
  let state: SessionState = 'streaming';
  let started = false;
  let abortReason: CircuitBreakerError | undefined;
  let detachTimer: NodeJS.Timeout | undefined;
  let journal = options.resumable ? options.journal : undefined;

  function append(event: SessionEvent): void {
    const frame = encodeSseEvent({ id: position, event: event.event, data: event.data });
    position += 1;
    if (buffer) {
      journal?.append(position - 1, frame);
      buffer.push(frame);
      bytes += Buffer.byteLength(frame);
      if (buffer.length > options.maxEvents || bytes > options.maxBytes) dropBuffer();
    }
    for (const subscriber of subscribers) if (!subscriber.write(frame)) pressured.add(subscriber);
  }

  function dropBuffer(): void {
    buffer = undefined;
    bytes = 0;
    journal?.drop();
    journal = undefined;
    // Nobody attached and nothing kept: the rest of the answer could never be read.
    if (subscribers.size === 0) abort(new CancelledError('The stream went over its buffer cap with no reader.'));
  }

  async function waitForReaders(): Promise<void> {
    if (pressured.size === 0) return;
    const slow = [...pressured];
    pressured.clear();
    await Promise.all(slow.map((subscriber) => subscriber.drained()));
  }

  function countTokens(chunk: ChatCompletionChunk): void {
    const delta = chunk.choices[0]?.delta;
    if (delta && (delta.content || delta.tool_calls || (delta as { reasoning?: unknown }).reasoning)) tokens += 1;
    if (chunk.usage?.completion_tokens !== undefined) tokens = chunk.usage.completion_tokens;
  }

  function end(outcome: SessionOutcome, events: SessionEvent[]): void {
    for (const event of events) append(event);
    state = outcome.state;
    journal?.end(outcome.state);
    clearDetachTimer();
    for (const subscriber of subscribers) subscriber.end();
    subscribers.clear();
    pressured.clear();
    options.tap?.end(outcome);
    options.onEnd(session, true);
  }

  function failBeforeStart(error: CircuitBreakerError): void {
    let frame = '';
    for (const event of encoder.error(error)) frame += encodeSseEvent({ id: position, ...event });
    state = 'failed';
    buffer = undefined;
    journal?.end('failed');
    for (const subscriber of subscribers) subscriber.fail(error, frame);
    subscribers.clear();
    options.tap?.end({ state: 'failed', error });
    options.onEnd(session, false);
  }

  async function pump(): Promise<void> {
    const { tap } = options;
    tap?.streamStart();
    try {
      // A batch is one upstream read's chunks: one promise for all of them. Backpressure stays per chunk.
      for await (const batch of stream.batches()) {
        for (const chunk of batch) {
          started = true;
          countTokens(chunk);
          for (const event of encoder.encodeChunk(chunk)) append(event);
          tap?.chunk(chunk);
          if (pressured.size > 0) await waitForReaders();
        }
      }
      end({ state: 'completed' }, encoder.finish());
    } catch (thrown) {
      const error = abortReason ?? toGatewayError(thrown);
      if (!started) return failBeforeStart(error);
      end({ state: abortReason ? 'cancelled' : 'failed', error }, encoder.error(error));
    }
  }

  function clearDetachTimer(): void {
    if (detachTimer === undefined) return;
    clearTimeout(detachTimer);
    detachTimer = undefined;
  }

  function abort(reason: CircuitBreakerError): void {
    if (session.ended || abortReason) return;
    abortReason = reason;
    clearDetachTimer();
    stream.abort(reason.code === 'CANCELLED' ? reason : new CancelledError(reason.message));
  }

  const session: StreamSession = {
    id: options.id,
    owner: options.owner,
    get state() {
      return state;
    },
    get resumable() {
      return buffer !== undefined;
    },
    get servedBy() {
      return stream.servedBy;
    },
    get ended() {
      return state === 'completed' || state === 'failed' || state === 'cancelled';
    },
    async attach(subscriber, after) {
      let cursor = Math.max(0, after + 1);
      while (cursor < position) {
        if (!buffer) throw new StreamNotResumableError(options.id);
        const ok = subscriber.write(buffer[cursor]);
        cursor += 1;
        if (!ok) await subscriber.drained();
        if (subscriber.closed) return;
      }
      if (session.ended) return subscriber.end();
      subscribers.add(subscriber);
      clearDetachTimer();
      state = 'streaming';
    },
    detach(subscriber) {
      if (!subscribers.delete(subscriber)) return;
      pressured.delete(subscriber);
      if (subscribers.size > 0 || session.ended) return;
      if (!buffer) return abort(new CancelledError('The client disconnected.'));
      state = 'detached';
      detachTimer = setTimeout(
        () => abort(new CancelledError('Nobody reconnected to the stream within the detach timeout.')),
        options.detachTimeoutMs,
      );
      detachTimer.unref();
    },
    abort,
    bufferedBytes: () => bytes,
    summary: () => ({
      id: options.id,
      object: 'stream',
      model: options.model,
      provider: stream.servedBy?.provider ?? null,
      deployment: stream.servedBy?.deployment ?? null,
      started_at: startedAt,
      tokens,
      state,
      resumable: buffer !== undefined,
      last_event_id: position - 1,
    }),
  };
  void pump();
  return session;
}
