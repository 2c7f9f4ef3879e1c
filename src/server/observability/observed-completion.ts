import { DeliveredText } from '../../core/router/delivered-text.js';
import type { ChatCompletionChunk } from '../../core/types/chat-chunk.js';
import type { CompletionStart, CompletionSummary, CompletionTap } from './completion-observer.js';
import type { LiveStream } from './create-live-state.js';

/**
 * What observes a completion request (metrics, the dashboard's live state, the usage ledger): functions over the
 * request's one {@link ObservedCompletion}, in which each keeps its few per-request fields. `chunksWritten` is on the
 * streaming hot path, called once per upstream read with that read's chunks: allocation-free.
 */
export interface CompletionObserver {
  streamStarted?(request: ObservedCompletion): void;
  chunksWritten?(request: ObservedCompletion, chunks: readonly ChatCompletionChunk[]): void;
  requestEnded(request: ObservedCompletion, summary: CompletionSummary): void;
}

/**
 * One completion request as observability sees it: the tap the gateway calls, and the per-request state of every
 * observer. Why one class instance rather than a tap of closures per observer: an open stream holds its tap for its
 * whole life, and three taps with a closure per method and a context each cost ~1.7 KB per stream (memory probe
 * snapshot); this is one object with in-object fields and shared prototype methods.
 */
export class ObservedCompletion implements CompletionTap {
  /** Metrics: the stream counted in the active-streams gauge. */
  streaming = false;
  /** Metrics: `performance.now()` of the last chunk written (0 before the first), for the inter-token latency. */
  lastChunkAt = 0;
  /** Live state: the dashboard's row for this stream, while it streams. */
  live: LiveStream | undefined = undefined;
  /** Usage: the text delivered, for a token count when the provider reports no usage. */
  readonly delivered = new DeliveredText();
  readonly start: CompletionStart;
  readonly #observers: readonly CompletionObserver[];

  constructor(start: CompletionStart, observers: readonly CompletionObserver[]) {
    this.start = start;
    this.#observers = observers;
  }

  streamStart(): void {
    for (const observer of this.#observers) observer.streamStarted?.(this);
  }

  chunks(chunks: readonly ChatCompletionChunk[]): void {
    for (const observer of this.#observers) observer.chunksWritten?.(this, chunks);
  }

  end(summary: CompletionSummary): void {
    for (const observer of this.#observers) {
      try {
        observer.requestEnded(this, summary);
      } catch {
        // Observers must not be able to break serving.
      }
    }
  }
}
