import type { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';
import type { ChatCompletionChunk } from '../../core/types/chat-chunk.js';
import { createAnthropicEventEncoder } from '../anthropic-format/index.js';
import { toAnthropicError } from '../errors/to-anthropic-error.js';
import { toOpenAIError } from '../errors/to-openai-error.js';

/** One SSE event before framing: the session adds `id:` (its position) and serializes it once. */
export interface SessionEvent {
  event?: string;
  /** A single line (JSON, or `[DONE]`). */
  data: string;
}

/**
 * A caller format's events for a chunk stream, at event level so that every event gets its own position: a client
 * cut between two events of one chunk resumes at the second.
 */
export interface SessionEventEncoder {
  encodeChunk(chunk: ChatCompletionChunk): SessionEvent[];
  /** The closing events after a clean end (`[DONE]`, or `message_delta` + `message_stop`). */
  finish(): SessionEvent[];
  /** The final event after a failure or a cancel (an error object, or Anthropic's `event: error`). */
  error(error: CircuitBreakerError): SessionEvent[];
}

const doneEvents: readonly SessionEvent[] = [{ data: '[DONE]' }];

/**
 * OpenAI's chat-completion stream: one `data: <chunk>` per chunk, `data: [DONE]` at a clean end, and after a
 * failure the error object as data with no `[DONE]` (what OpenAI itself sends mid-stream).
 * @see https://platform.openai.com/docs/api-reference/chat/streaming
 */
export function createOpenAISessionEncoder(secrets: readonly string[]): SessionEventEncoder {
  return {
    encodeChunk: (chunk) => [{ data: JSON.stringify(chunk) }],
    finish: () => [...doneEvents],
    error: (error) => [{ data: JSON.stringify(toOpenAIError(error, secrets).body) }],
  };
}

/**
 * Anthropic's Messages stream (`message_start` … `message_stop`) from the anthropic-format event encoder; a failure
 * after the start is `event: error`.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export function createAnthropicSessionEncoder(options: {
  messageId: string;
  model: string;
  secrets: readonly string[];
}): SessionEventEncoder {
  const encoder = createAnthropicEventEncoder({ messageId: options.messageId, model: options.model });
  return {
    encodeChunk: (chunk) => encoder.encodeChunk(chunk),
    finish: () => encoder.finish(),
    error: (error) => encoder.error(toAnthropicError(error, options.secrets).body.error),
  };
}
