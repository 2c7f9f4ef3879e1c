import { CircuitBreakerError } from '../../errors/circuit-breaker-error.js';
import { UpstreamConnectionError } from '../../errors/upstream-errors.js';
import { createSseDecoder } from '../../sse/create-sse-decoder.js';
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

/** One read at a time from a fetch body or a transport's byte iterable; `cancel` aborts what is left. */
interface ByteReader {
  read(): Promise<IteratorResult<Uint8Array, unknown>>;
  cancel(): void;
}

function openReader(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): ByteReader {
  if (!('getReader' in body)) {
    const iterator = body[Symbol.asyncIterator]();
    return {
      read: () => iterator.next(),
      cancel: () => void iterator.return?.()?.catch(() => {}),
    };
  }
  const reader = body.getReader();
  return {
    read: () => reader.read() as Promise<IteratorResult<Uint8Array, unknown>>,
    cancel: () => {
      reader.cancel().catch(() => {});
      reader.releaseLock();
    },
  };
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
 * yielded before the next read, so each token leaves as soon as its bytes arrived. Parts already emitted are
 * delivered before an error thrown in the same read. Leaving the loop early cancels the body (and with it the
 * upstream connection). The body is a fetch `ReadableStream` or any async iterable of bytes (a Node transport's).
 * The returned generator is a {@link ReadyPartsIterator}: a consumer may take the rest of a read's parts at once.
 */
export function readStreamParts(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: ReadStreamPartsOptions,
): AsyncGenerator<StreamPart, void, undefined> & ReadyPartsIterator {
  const queue: StreamPart[] = [];
  // The position of the next part of `queue` to deliver, shared by the generator's yields and takeReadyPart.
  const cursor = { next: 0 };
  const generator = generateParts(body, options, queue, cursor);
  return Object.assign(generator, {
    takeReadyPart: (): StreamPart | undefined => (cursor.next < queue.length ? queue[cursor.next++] : undefined),
  });
}

async function* generateParts(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: ReadStreamPartsOptions,
  queue: StreamPart[],
  cursor: { next: number },
): AsyncGenerator<StreamPart, void, undefined> {
  const parser = options.createStreamParser({
    provider: options.provider,
    emit: (part) => queue.push(part),
    onMalformedEvent: (event, error) => options.onMalformedEvent?.(event, error),
  });
  const decoder = createSseDecoder({
    onEvent: (event) => parser.onEvent(event),
    maxEventBytes: options.maxEventBytes,
    provider: options.provider,
  });
  const reader = openReader(body);
  let finished = false;
  try {
    for (;;) {
      let result: IteratorResult<Uint8Array, unknown>;
      try {
        result = await reader.read();
      } catch (error) {
        throw mapReadError(error, options);
      }
      let failure: unknown;
      try {
        if (result.done) {
          finished = true;
          decoder.end();
          parser.onEnd();
        } else {
          decoder.feed(result.value);
        }
      } catch (error) {
        failure = error;
      }
      // Index loop, then truncate: no per-part shift() and no new array per read. The consumer may have taken
      // parts past the one yielded (takeReadyPart), hence the shared cursor.
      while (cursor.next < queue.length) yield queue[cursor.next++];
      queue.length = 0;
      cursor.next = 0;
      if (failure !== undefined) throw failure;
      if (result.done) return;
    }
  } finally {
    if (!finished) reader.cancel();
  }
}

function mapReadError(error: unknown, options: ReadStreamPartsOptions): CircuitBreakerError {
  if (error instanceof CircuitBreakerError) return error;
  if (options.signal?.aborted) return abortReasonToError(options.signal.reason);
  // The body failed mid-stream (connection reset): retryable, and a failure of the deployment.
  return new UpstreamConnectionError(options.provider, error);
}
