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
 * Response body → SSE events → provider parser → parts, incrementally. Parts produced by one network read are
 * yielded before the next read, so each token leaves as soon as its bytes arrived. Parts already emitted are
 * delivered before an error thrown in the same read. Leaving the loop early cancels the body (and with it the
 * upstream connection). The body is a fetch `ReadableStream` or any async iterable of bytes (a Node transport's).
 */
export async function* readStreamParts(
  body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: ReadStreamPartsOptions,
): AsyncGenerator<StreamPart, void, undefined> {
  const queue: StreamPart[] = [];
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
      // Index loop, then truncate: no per-part shift() and no new array per read.
      for (let index = 0; index < queue.length; index++) yield queue[index];
      queue.length = 0;
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
