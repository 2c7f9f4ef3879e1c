import { CircuitBreakerError } from '../../errors/circuit-breaker-error.js';
import { UpstreamConnectionError } from '../../errors/upstream-errors.js';
import { createSseDecoder, type SseDecoder } from '../../sse/create-sse-decoder.js';
import type { SseEvent } from '../../sse/sse-event.js';
import type { StreamPart } from '../../types/stream-part.js';
import type { StreamParser, StreamParserContext } from '../provider.js';
import { abortReasonToError } from './abort-reason-to-error.js';

export interface ReadStreamPartsOptions {
  provider: string;
  createStreamParser: (context: StreamParserContext) => StreamParser;
  signal?: AbortSignal;
  maxEventBytes?: number;
  onMalformedEvent?: (event: SseEvent, error: unknown) => void;
}

/**
 * A part iterator that also hands over, without a promise, the parts already parsed from the network read that
 * produced the part `next()` last resolved with: one `next()` per read instead of one per part. Why: a read of an
 * unpaced stream carries ~57 tokens, and each `next()` of an async generator is a promise and a few microtasks.
 */
export interface ReadyPartsIterator extends AsyncIterator<StreamPart> {
  /** The next part of the current read, or undefined when the read's parts are all taken (then call `next()`). */
  takeReadyPart(): StreamPart | undefined;
}

/** The iterator's `takeReadyPart` when it has one (parts straight from {@link readStreamParts}), else undefined. */
export function readyPartsOf(iterator: AsyncIterator<StreamPart>): ReadyPartsIterator | undefined {
  return 'takeReadyPart' in iterator ? (iterator as ReadyPartsIterator) : undefined;
}

/**
 * Response body → SSE events → provider parser → parts, incrementally. Parts produced by one network read are
 * delivered before the next read, so each token leaves as soon as its bytes arrived. Parts already emitted are
 * delivered before an error thrown in the same read. Leaving the loop early cancels the body (and with it the
 * upstream connection). The body is a fetch `ReadableStream` or any async iterable of bytes (a Node transport's).
 * The returned iterator is a {@link ReadyPartsIterator}: a consumer may take the rest of a read's parts at once.
 */
export function readStreamParts(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: ReadStreamPartsOptions,
): AsyncIterableIterator<StreamPart> & ReadyPartsIterator {
  return new StreamPartReader(body, options);
}

const done: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The reading loop as one object: `next()` reads (again, while a read yields no part), feeds the decoder and hands
 * out the read's parts. Not an async generator: an open stream holds its reader for its whole life, and a suspended
 * generator keeps its frame, its request queue, the closures around it and one promise more per step (~1 KB per
 * open stream with the reader objects of the body, memory probe); here it is fields.
 */
class StreamPartReader implements AsyncIterableIterator<StreamPart>, ReadyPartsIterator {
  readonly #options: ReadStreamPartsOptions;
  /** The parts of the current read; `#next` is the position of the next one to hand out. */
  readonly #queue: StreamPart[] = [];
  #next = 0;
  readonly #parser: StreamParser;
  readonly #decoder: SseDecoder;
  /** The body: a fetch body's reader, or a byte iterable's iterator. */
  readonly #webReader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  readonly #byteIterator: AsyncIterator<Uint8Array> | undefined;
  /** `reading`: the body has more; `ended`: it ended (parts may be left); `closed`: returned or failed. */
  #state: 'reading' | 'ended' | 'closed' = 'reading';
  /** What the last read threw, handed out once its parts are. */
  #failure: { error: unknown } | undefined = undefined;

  constructor(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, options: ReadStreamPartsOptions) {
    this.#options = options;
    const queue = this.#queue;
    const parser = options.createStreamParser({
      provider: options.provider,
      emit: (part) => queue.push(part),
      onMalformedEvent: (event, error) => options.onMalformedEvent?.(event, error),
    });
    this.#parser = parser;
    this.#decoder = createSseDecoder({
      onEvent: (event) => parser.onEvent(event),
      maxEventBytes: options.maxEventBytes,
      provider: options.provider,
    });
    if ('getReader' in body) this.#webReader = body.getReader();
    else this.#byteIterator = body[Symbol.asyncIterator]();
  }

  takeReadyPart(): StreamPart | undefined {
    return this.#next < this.#queue.length ? this.#queue[this.#next++] : undefined;
  }

  next(): Promise<IteratorResult<StreamPart, undefined>> {
    const part = this.takeReadyPart();
    if (part !== undefined) return Promise.resolve({ done: false, value: part });
    // Truncated, not a new array per read; the consumer may have taken parts past the one `next()` gave.
    this.#queue.length = 0;
    this.#next = 0;
    const failure = this.#failure;
    if (failure) {
      this.#failure = undefined;
      this.#close();
      return Promise.reject(failure.error);
    }
    if (this.#state !== 'reading') {
      this.#close();
      return Promise.resolve(done);
    }
    return this.#read().then(
      (result) => this.#onRead(result),
      (error: unknown) => {
        this.#close();
        throw mapReadError(error, this.#options);
      },
    );
  }

  return(): Promise<IteratorResult<StreamPart, undefined>> {
    this.#close();
    this.#queue.length = 0;
    this.#next = 0;
    this.#failure = undefined;
    return Promise.resolve(done);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #read(): Promise<IteratorResult<Uint8Array, unknown>> {
    const reader = this.#webReader;
    return reader ? (reader.read() as Promise<IteratorResult<Uint8Array, unknown>>) : this.#byteIterator!.next();
  }

  /** One read's bytes through decoder and parser; then its first part, or the next read when it made none. */
  #onRead(result: IteratorResult<Uint8Array, unknown>): Promise<IteratorResult<StreamPart, undefined>> {
    // Returned while the read was in flight: what it brought is nobody's.
    if (this.#state === 'closed') return Promise.resolve(done);
    try {
      if (result.done) {
        this.#state = 'ended';
        this.#decoder.end();
        this.#parser.onEnd();
      } else {
        this.#decoder.feed(result.value);
      }
    } catch (error) {
      this.#failure = { error };
    }
    return this.next();
  }

  /** No more reads; a body not read to its end is cancelled (and with it the upstream request). */
  #close(): void {
    const wasReading = this.#state === 'reading';
    this.#state = 'closed';
    if (!wasReading) return;
    const reader = this.#webReader;
    if (reader) {
      reader.cancel().catch(() => {});
      reader.releaseLock();
    } else {
      void this.#byteIterator!.return?.()?.catch(() => {});
    }
  }
}

function mapReadError(error: unknown, options: ReadStreamPartsOptions): CircuitBreakerError {
  if (error instanceof CircuitBreakerError) return error;
  if (options.signal?.aborted) return abortReasonToError(options.signal.reason);
  // The body failed mid-stream (connection reset): retryable, and a failure of the deployment.
  return new UpstreamConnectionError(options.provider, error);
}
