import type { ChatCompletionChunk } from '../../core/types/chat-chunk.js';

/** The completion routes the gateway serves; a bounded label value. */
export type CompletionRoute = '/v1/chat/completions' | '/v1/messages';

/** What the gateway knows when a completion request starts (after authentication and limits). */
export interface CompletionStart {
  requestId: string;
  route: CompletionRoute;
  /** The key identity (configured name or `key_<hash>`), or `anonymous` with auth off. Never the key. */
  identity: string;
  /** Wall-clock start, ms since the epoch. */
  startedAt: number;
}

/** How a completion request ended, as the gateway saw it (after the response was written or abandoned). */
export interface CompletionSummary {
  model: string | undefined;
  stream: boolean;
  deployment: string | undefined;
  provider: string | undefined;
  status: number;
  outcome: 'success' | 'error' | 'cancelled';
  /** Usage as the provider reported it; undefined when it sent none (a cut stream, a failure). */
  promptTokens: number | undefined;
  completionTokens: number | undefined;
  timeToFirstTokenMs: number | undefined;
  durationMs: number;
  attempts: number | undefined;
  failovers: number;
  hedged: boolean;
  errorCode: string | undefined;
  /** The request body, for a prompt-token estimate when the provider reported no usage. */
  body: unknown;
}

/**
 * One request's tap, created by {@link CompletionTaps.start}. `chunks` is on the streaming hot path: it must stay
 * allocation-free (one `performance.now()` per call and a few counters per chunk), anything heavier belongs in `end`.
 */
export interface CompletionTap {
  /** The response is a stream and its pump starts now. */
  streamStart(): void;
  /** Streamed chunks were handed to the socket: one upstream read's, together (never empty). */
  chunks(chunks: readonly ChatCompletionChunk[]): void;
  /** The request is over; called once, after the response ended or the client went away. */
  end(summary: CompletionSummary): void;
}

/**
 * The gateway's side of observability (STYLE rule 6): the gateway starts a tap per completion request and knows
 * nothing about metrics, the dashboard or the ledger; they observe through it (observed-completion.ts).
 */
export interface CompletionTaps {
  start(start: CompletionStart): CompletionTap;
}
