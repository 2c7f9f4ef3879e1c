import type { ChatCompletionChunk } from '../../src/core/types/chat-chunk.js';

/** A one-choice `chat.completion.chunk` carrying `content`, for tests that script a router stream. */
export function textChunk(content: string): ChatCompletionChunk {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'm',
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  };
}
