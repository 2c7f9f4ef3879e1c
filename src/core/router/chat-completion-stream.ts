import { CancelledError } from '../errors/request-errors.js';
import type { ChatCompletionChunk, RoutingMetadata, Usage } from '../types/chat-chunk.js';

/** What the run reports back to its stream object while it goes. */
export interface StreamRunState {
  servedBy?: RoutingMetadata;
  usage?: Usage;
}

/**
 * The async iterable `streamChatCompletion` returns. Iterate it once with `for await`; leaving the loop early or
 * calling `abort()` aborts the upstream request at once. After the first chunk, `servedBy` says which deployment
 * answered (the gateway turns it into response headers); after the end, `usage` holds the final figures.
 */
export class ChatCompletionStream implements AsyncIterable<ChatCompletionChunk> {
  readonly id: string;
  readonly requestedModel: string;
  readonly state: StreamRunState = {};
  readonly #controller = new AbortController();
  readonly #run: (signal: AbortSignal, state: StreamRunState) => AsyncGenerator<ChatCompletionChunk>;
  #started = false;

  constructor(options: {
    id: string;
    requestedModel: string;
    signal?: AbortSignal;
    run: (signal: AbortSignal, state: StreamRunState) => AsyncGenerator<ChatCompletionChunk>;
  }) {
    this.id = options.id;
    this.requestedModel = options.requestedModel;
    this.#run = options.run;
    const outer = options.signal;
    if (outer) {
      if (outer.aborted) this.#controller.abort(outer.reason);
      else outer.addEventListener('abort', () => this.#controller.abort(outer.reason), { once: true });
    }
  }

  /** The deployment that is serving this stream (set when the first content arrives). */
  get servedBy(): RoutingMetadata | undefined {
    return this.state.servedBy;
  }

  get usage(): Usage | undefined {
    return this.state.usage;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Aborts the upstream request; a pending `next()` rejects with a `CancelledError`. */
  abort(reason: unknown = new CancelledError()): void {
    this.#controller.abort(reason);
  }

  [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
    if (this.#started) throw new Error('A ChatCompletionStream can be iterated only once.');
    this.#started = true;
    const generator = this.#run(this.#controller.signal, this.state);
    const controller = this.#controller;
    return {
      next: () => generator.next(),
      return: async (value?: unknown) => {
        // Leaving the loop early: stop paying for tokens nobody reads.
        controller.abort(new CancelledError('The consumer stopped reading.'));
        await generator.return(undefined).catch(() => {});
        return { done: true, value: value as ChatCompletionChunk };
      },
      throw: async (error?: unknown) => {
        controller.abort(error);
        return generator.throw(error);
      },
    };
  }
}
