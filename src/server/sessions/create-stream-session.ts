import type { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';
import { CancelledError } from '../../core/errors/request-errors.js';
import type { ChatCompletionStream } from '../../core/router/chat-completion-stream.js';
import { encodeSingleLineSseEvent } from '../../core/sse/encode-sse.js';
import type { ChatCompletionChunk, RoutingMetadata } from '../../core/types/chat-chunk.js';
import { toGatewayError } from '../errors/gateway-errors.js';
import { StreamNotResumableError } from './session-errors.js';
import type { SessionEvent, SessionEventEncoder } from './session-event-encoder.js';

/**
 * The most characters of frames joined into one write. Writes of one event-loop turn still leave in one `writev`
 * (Node corks a response within a turn), so a split costs no latency; it keeps each joined string well under V8's
 * large-object size (~128 KB), past which allocating and flattening it cost 5–6× more per frame: a read of an unpaced
 * Anthropic upstream carries ~130 KB of OpenAI frames, and the single stream spent a third of its time there.
 */
const maxWriteChars = 16 * 1024;

/** `streaming`: a client is attached; `detached`: generating for nobody (resumable only); the rest are final. */
export type SessionState = 'streaming' | 'detached' | 'completed' | 'failed' | 'cancelled';

/** A reader of a session: an SSE response (or a test). The session pushes frames; nothing queues in between. */
export interface SessionSubscriber {
  /** True once the client went away: nothing more is written to it. */
  readonly closed: boolean;
  /**
   * Writes whole SSE frames (one, or all of one upstream read's); false when the client's buffer is over its
   * high-water mark.
   */
  write(frames: string): boolean;
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
  /** One upstream read's chunks, once their frames were written. */
  chunks(chunks: readonly ChatCompletionChunk[]): void;
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
  const session = new LocalStreamSession(options);
  void session.pump();
  return session;
}

/**
 * The session of a stream this instance runs. A class, not an object literal of closures over local state: every
 * open stream holds its session, and the closures (one per method, with a context each) and the dictionary-mode
 * object that getters in a literal make cost ~2.5 KB more per stream than fields and prototype methods (memory
 * probe snapshot). The readers under backpressure are an array made only when one is.
 */
class LocalStreamSession implements StreamSession {
  readonly id: string;
  readonly owner: string;
  state: SessionState = 'streaming';
  readonly #options: CreateStreamSessionOptions;
  readonly #startedAt = Math.floor(Date.now() / 1000);
  readonly #subscribers = new Set<SessionSubscriber>();
  /** Readers whose last write said their buffer is full: the pump waits for them before the next chunk. */
  #pressured: SessionSubscriber[] | undefined = undefined;
  #buffer: string[] | undefined;
  #bytes = 0;
  #position = 0;
  #tokens = 0;
  #started = false;
  #abortReason: CircuitBreakerError | undefined = undefined;
  #detachTimer: NodeJS.Timeout | undefined = undefined;
  #journal: SessionJournal | undefined;

  constructor(options: CreateStreamSessionOptions) {
    this.id = options.id;
    this.owner = options.owner;
    this.#options = options;
    this.#buffer = options.resumable ? [] : undefined;
    this.#journal = options.resumable ? options.journal : undefined;
  }

  get resumable(): boolean {
    return this.#buffer !== undefined;
  }

  get servedBy(): RoutingMetadata | undefined {
    return this.#options.stream.servedBy;
  }

  get ended(): boolean {
    const state = this.state;
    return state === 'completed' || state === 'failed' || state === 'cancelled';
  }

  async attach(subscriber: SessionSubscriber, after: number): Promise<void> {
    let cursor = Math.max(0, after + 1);
    while (cursor < this.#position) {
      if (!this.#buffer) throw new StreamNotResumableError(this.id);
      const ok = subscriber.write(this.#buffer[cursor]);
      cursor += 1;
      if (!ok) await subscriber.drained();
      if (subscriber.closed) return;
    }
    if (this.ended) return subscriber.end();
    this.#subscribers.add(subscriber);
    this.#clearDetachTimer();
    this.state = 'streaming';
  }

  detach(subscriber: SessionSubscriber): void {
    if (!this.#subscribers.delete(subscriber)) return;
    const pressured = this.#pressured;
    if (pressured) {
      const index = pressured.indexOf(subscriber);
      if (index !== -1) pressured.splice(index, 1);
    }
    if (this.#subscribers.size > 0 || this.ended) return;
    if (!this.#buffer) {
      this.abort(new CancelledError('The client disconnected.'));
      return;
    }
    this.state = 'detached';
    this.#detachTimer = setTimeout(
      () => this.abort(new CancelledError('Nobody reconnected to the stream within the detach timeout.')),
      this.#options.detachTimeoutMs,
    );
    this.#detachTimer.unref();
  }

  abort(reason: CircuitBreakerError): void {
    if (this.ended || this.#abortReason) return;
    this.#abortReason = reason;
    this.#clearDetachTimer();
    this.#options.stream.abort(reason.code === 'CANCELLED' ? reason : new CancelledError(reason.message));
  }

  bufferedBytes(): number {
    return this.#bytes;
  }

  summary(): StreamSummary {
    const servedBy = this.#options.stream.servedBy;
    return {
      id: this.id,
      object: 'stream',
      model: this.#options.model,
      provider: servedBy?.provider ?? null,
      deployment: servedBy?.deployment ?? null,
      started_at: this.#startedAt,
      tokens: this.#tokens,
      state: this.state,
      resumable: this.#buffer !== undefined,
      last_event_id: this.#position - 1,
    };
  }

  /** Pulls the router stream to its end; never rejects (a failure ends the session with the format's error). */
  async pump(): Promise<void> {
    const { tap, stream, encoder } = this.#options;
    tap?.streamStart();
    try {
      // A batch is one upstream read's chunks: one promise for all of them, and one write of all their frames to
      // each reader. They arrived together, so writing them together holds none back; it saves the HTTP layer's
      // per-write work and four iovecs per frame (chunked framing), which one unpaced stream spends most of its
      // time on (CPU profile, docs/performance.md). Backpressure is per batch: at most one read over the mark.
      for await (const batch of stream.batches()) {
        let frames = '';
        for (const chunk of batch) {
          this.#started = true;
          this.#countTokens(chunk);
          for (const event of encoder.encodeChunk(chunk)) frames += this.#record(event);
          if (frames.length < maxWriteChars) continue;
          this.#publish(frames);
          frames = '';
        }
        this.#publish(frames);
        if (batch.length > 0) tap?.chunks(batch);
        if (this.#pressured) await this.#waitForReaders();
      }
      this.#end({ state: 'completed' }, encoder.finish());
    } catch (thrown) {
      const error = this.#abortReason ?? toGatewayError(thrown);
      if (!this.#started) return this.#failBeforeStart(error);
      this.#end({ state: this.#abortReason ? 'cancelled' : 'failed', error }, encoder.error(error));
    }
  }

  /** Gives the event its position, keeps its frame when resumable, and returns the frame for the readers. */
  #record(event: SessionEvent): string {
    const position = this.#position;
    const frame = encodeSingleLineSseEvent(position, event.event, event.data);
    this.#position = position + 1;
    const buffer = this.#buffer;
    if (buffer) {
      this.#journal?.append(position, frame);
      buffer.push(frame);
      this.#bytes += Buffer.byteLength(frame);
      if (buffer.length > this.#options.maxEvents || this.#bytes > this.#options.maxBytes) this.#dropBuffer();
    }
    return frame;
  }

  /** Writes frames to every reader; the ones whose buffer is full are waited for before the next batch. */
  #publish(frames: string): void {
    if (frames === '') return;
    for (const subscriber of this.#subscribers) {
      if (subscriber.write(frames)) continue;
      const pressured = this.#pressured;
      if (!pressured) this.#pressured = [subscriber];
      else if (!pressured.includes(subscriber)) pressured.push(subscriber);
    }
  }

  #dropBuffer(): void {
    this.#buffer = undefined;
    this.#bytes = 0;
    this.#journal?.drop();
    this.#journal = undefined;
    // Nobody attached and nothing kept: the rest of the answer could never be read.
    if (this.#subscribers.size === 0)
      this.abort(new CancelledError('The stream went over its buffer cap with no reader.'));
  }

  async #waitForReaders(): Promise<void> {
    const slow = this.#pressured;
    this.#pressured = undefined;
    if (!slow) return;
    await Promise.all(slow.map((subscriber) => subscriber.drained()));
  }

  #countTokens(chunk: ChatCompletionChunk): void {
    const delta = chunk.choices[0]?.delta;
    if (delta && (delta.content || delta.tool_calls || (delta as { reasoning?: unknown }).reasoning)) this.#tokens += 1;
    if (chunk.usage?.completion_tokens !== undefined) this.#tokens = chunk.usage.completion_tokens;
  }

  #end(outcome: SessionOutcome, events: SessionEvent[]): void {
    let frames = '';
    for (const event of events) frames += this.#record(event);
    this.#publish(frames);
    this.state = outcome.state;
    this.#journal?.end(outcome.state);
    this.#clearDetachTimer();
    for (const subscriber of this.#subscribers) subscriber.end();
    this.#subscribers.clear();
    this.#pressured = undefined;
    this.#options.tap?.end(outcome);
    this.#options.onEnd(this, true);
  }

  #failBeforeStart(error: CircuitBreakerError): void {
    let frame = '';
    for (const event of this.#options.encoder.error(error))
      frame += encodeSingleLineSseEvent(this.#position, event.event, event.data);
    this.state = 'failed';
    this.#buffer = undefined;
    this.#journal?.end('failed');
    for (const subscriber of this.#subscribers) subscriber.fail(error, frame);
    this.#subscribers.clear();
    this.#options.tap?.end({ state: 'failed', error });
    this.#options.onEnd(this, false);
  }

  #clearDetachTimer(): void {
    if (this.#detachTimer === undefined) return;
    clearTimeout(this.#detachTimer);
    this.#detachTimer = undefined;
  }
}
