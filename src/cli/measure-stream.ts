import type { ChatCompletionChunk, Usage } from '../core/types/chat-chunk.js';

/** What one streamed answer cost in time: the numbers `chat` and the streaming demo print after it. */
export interface StreamStats {
  /** From the request to the first content (text, reasoning or tool call); undefined if none came. */
  timeToFirstTokenMs: number | undefined;
  /** The provider's count when it reported usage, else the number of content deltas (≈ tokens). */
  completionTokens: number;
  /** Whether `completionTokens` is the provider's figure rather than our estimate. */
  tokensReported: boolean;
  /** Completion tokens per second of generation, first token to last. */
  tokensPerSecond: number | undefined;
  durationMs: number;
  /** `provider/model` that served, from the router's metadata on the final chunk. */
  servedBy: string | undefined;
}

export interface StreamMeter {
  /** Notes one chunk; returns its text (what to print). */
  observe(chunk: ChatCompletionChunk): { text: string; reasoning: string };
  /** The figures so far (call after the stream ends). */
  stats(): StreamStats;
}

/** Measures one stream as its chunks pass; `now` is injectable for tests. */
export function createStreamMeter(now: () => number = () => performance.now()): StreamMeter {
  const startedAt = now();
  let firstAt: number | undefined;
  let lastAt: number | undefined;
  let deltas = 0;
  let usage: Usage | undefined;
  let servedBy: string | undefined;
  return {
    observe(chunk) {
      if (chunk.usage) usage = chunk.usage;
      if (chunk.circuit_breaker) servedBy = chunk.circuit_breaker.deployment;
      const delta = chunk.choices[0]?.delta;
      const text = delta?.content ?? '';
      const reasoning = delta?.reasoning_content ?? '';
      if (text !== '' || reasoning !== '' || (delta?.tool_calls?.length ?? 0) > 0) {
        const at = now();
        firstAt ??= at;
        lastAt = at;
        deltas += 1;
      }
      return { text, reasoning };
    },
    stats() {
      const endedAt = now();
      const completionTokens = usage?.completion_tokens ?? deltas;
      const generationMs = firstAt !== undefined && lastAt !== undefined ? lastAt - firstAt : 0;
      return {
        timeToFirstTokenMs: firstAt === undefined ? undefined : firstAt - startedAt,
        completionTokens,
        tokensReported: usage !== undefined,
        tokensPerSecond:
          generationMs > 0 && completionTokens > 1 ? (completionTokens / generationMs) * 1000 : undefined,
        durationMs: endedAt - startedAt,
        servedBy,
      };
    },
  };
}

/** `312 ms to first token · 48 tokens · 41.2 tokens/s · served by sim-openai/sim-gpt` */
export function formatStreamStats(stats: StreamStats): string {
  const parts = [
    stats.timeToFirstTokenMs === undefined ? 'no tokens' : `${Math.round(stats.timeToFirstTokenMs)} ms to first token`,
    `${stats.completionTokens} ${stats.tokensReported ? 'tokens' : 'chunks'}`,
    stats.tokensPerSecond === undefined ? undefined : `${stats.tokensPerSecond.toFixed(1)} tokens/s`,
    `${Math.round(stats.durationMs)} ms total`,
    stats.servedBy ? `served by ${stats.servedBy}` : undefined,
  ];
  return parts.filter((part) => part !== undefined).join(' · ');
}
