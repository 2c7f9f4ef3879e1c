import { encodeSseEvent } from '../../core/sse/encode-sse.js';
import { toOpenAIError } from '../errors/to-openai-error.js';
import type { SseStreamEncoder } from './stream-to-sse.js';

const doneFrame = encodeSseEvent({ data: '[DONE]' });

/**
 * OpenAI's streaming framing: `id: <n>` (the chunk's position, 0, 1, 2, …, so a client can tell where it stopped)
 * and `data: <chunk JSON>` per chunk, `data: [DONE]` at a clean end, and after a failure an error object as data
 * (what OpenAI itself sends mid-stream) with no `[DONE]`, so no client mistakes it for a complete answer.
 * @see https://platform.openai.com/docs/api-reference/chat/streaming
 */
export function createOpenAISseEncoder(secrets: readonly string[]): SseStreamEncoder {
  let position = 0;
  return {
    encodeChunk: (chunk) => encodeSseEvent({ id: position++, data: JSON.stringify(chunk) }),
    finish: () => doneFrame,
    error: (error) => encodeSseEvent({ data: JSON.stringify(toOpenAIError(error, secrets).body) }),
  };
}
