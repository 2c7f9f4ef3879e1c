import { CancelledError } from '../errors/request-errors.js';
import type { AbortSignalLike } from '../resilience/abort-signal-like.js';
import type { ChatCompletionChunk, RoutingMetadata, Usage } from '../types/chat-chunk.js';
import { AbortFlag } from './abort-flag.js';
import { followAbort } from './follow-abort.js';

/** What the run reports back to its stream object while it goes. */
export interface StreamRunState {
  servedBy?: RoutingMetadata;
  usage?: Usage;
}

/**
 * What a stream's run yields: a chunk, or the chunks of one upstream network read together (one generator hop for
 * all of them; the stream still hands them to a `for await` one by one).
 */
export type ChunkOrBatch = ChatCompletionChunk | readonly ChatCompletionChunk[];

/**
 * The async iterable `streamChatCompletion` returns. Iterate it once with `for await`; leaving the loop early or
 * calling `abort()` aborts the upstream request at once. After the first chunk, `servedBy` says which deployment
 * answered (the gateway turns it into response headers); after the end, `usage` holds the final figures.
 */
export class ChatCompletionStream implements AsyncIterable<ChatCompletionChunk> {
  readonly id: string;
  readonly requestedModel: string;
  readonly state: StreamRunState = {};
  /** The stream's abort: a flag the live attempts' controllers follow, not a signal of its own (see AbortFlag). */
  readonly #abort = new AbortFlag();
  /** Made only for a caller that reads `signal`. */
  #signalController: AbortController | undefined = undefined;
  readonly #run: (signal: AbortSignalLike, state: StreamRunState) => AsyncGenerator<ChunkOrBatch>;
  #started = false;

  constructor(options: {
    id: string;
    requestedModel: string;
    signal?: AbortSignal;
    run: (signal: AbortSignalLike, state: StreamRunState) => AsyncGenerator<ChunkOrBatch>;
  }) {
    this.id = options.id;
    this.requestedModel = options.requestedModel;
    this.#run = options.run;
    followAbort(options.signal, this.#abort);
  }

  /** The deployment that is serving this stream (set when the first content arrives). */
  get servedBy(): RoutingMetadata | undefined {
    return this.state.servedBy;
  }

  get usage(): Usage | undefined {
    return this.state.usage;
  }

  /** Aborted when the stream is (an `AbortSignal` made on first read). */
  get signal(): AbortSignal {
    this.#signalController ??= followAbort(this.#abort);
    return this.#signalController.signal;
  }

  /** Aborts the upstream request; a pending `next()` rejects with a `CancelledError`. */
  abort(reason: unknown = new CancelledError()): void {
    this.#abort.abort(reason);
  }

  [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
    const batches = this.batches();
    let batch: readonly ChatCompletionChunk[] = [];
    let index = 0;
    const nextChunk = (): Promise<IteratorResult<ChatCompletionChunk>> => {
      // The rest of a batch needs no generator step: a resolved promise each.
      if (index < batch.length) return Promise.resolve({ done: false, value: batch[index++] });
      return batches.next().then((result) => {
        if (result.done) return { done: true, value: undefined };
        batch = result.value;
        index = 0;
        return nextChunk();
      });
    };
    return {
      next: nextChunk,
      return: async (value?: unknown) => {
        await batches.return?.();
        return { done: true, value: value as ChatCompletionChunk };
      },
      throw: async (error?: unknown) => {
        const result = await batches.throw?.(error);
        if (!result || result.done) return { done: true, value: undefined };
        return { done: false, value: result.value[0] };
      },
    };
  }

  /**
   * The chunks in batches, each batch what one upstream network read produced (never empty). Same contract as the
   * `for await` iteration, of which it is the cheaper form: one promise per read instead of one per chunk (the
   * gateway's session pump reads this). Iterate once, and not together with the chunk iteration.
   */
  batches(): AsyncIterableIterator<readonly ChatCompletionChunk[]> {
    if (this.#started) throw new Error('A ChatCompletionStream can be iterated only once.');
    this.#started = true;
    const generator = this.#run(this.#abort, this.state);
    const abort = this.#abort;
    const iterator: AsyncIterableIterator<readonly ChatCompletionChunk[]> = {
      // A `then`, not an async function with an await: fewer promises and microtask hops per read.
      next: () => generator.next().then(toBatchResult),
      return: async () => {
        // Leaving the loop early: stop paying for tokens nobody reads.
        abort.abort(new CancelledError('The consumer stopped reading.'));
        await generator.return(undefined).catch(() => {});
        return { done: true, value: undefined };
      },
      throw: async (error?: unknown) => {
        abort.abort(error);
        return toBatchResult(await generator.throw(error));
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}

/** A run's step as a batch step (the run's own result object when it already yielded an array). */
function toBatchResult(result: IteratorResult<ChunkOrBatch>): IteratorResult<readonly ChatCompletionChunk[]> {
  if (result.done) return { done: true, value: undefined };
  const value = result.value;
  if (isBatch(value)) return result as IteratorResult<readonly ChatCompletionChunk[]>;
  return { done: false, value: [value] };
}

function isBatch(value: ChunkOrBatch): value is readonly ChatCompletionChunk[] {
  return Array.isArray(value);
}
