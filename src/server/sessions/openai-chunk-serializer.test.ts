import { describe, expect, it } from 'vitest';
import type { ChatCompletionChunk } from '../../core/types/chat-chunk.js';
import { createOpenAIChunkSerializer } from './session-event-encoder.js';

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk' as const, created: 1_700_000_000, model: 'gpt-4o' };
const text = (content: string, extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk => ({
  ...base,
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
  ...extra,
});

describe('createOpenAIChunkSerializer', () => {
  it('writes exactly what JSON.stringify writes, for text deltas and every other shape', () => {
    const chunks: ChatCompletionChunk[] = [
      text('Hello'),
      text(''),
      text('quote " backslash \\ newline \n tab \t control \u0001 emoji 😀 lone \ud800 end'),
      text('x', { model: 'other "model"' }),
      text('y', { id: 'chatcmpl-2', created: 1.5 }),
      text('z', { usage: undefined }),
      text('z', { usage: null }),
      text('z', { system_fingerprint: 'fp' }),
      { ...base, choices: [{ index: 0, delta: { content: 'a', role: 'assistant' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { content: 'a', thought_signature: 's' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      { ...base, choices: [{ index: 1, delta: { content: 'a' }, finish_reason: null }] },
      { ...base, choices: [{ index: 0, delta: { reasoning_content: 'think' }, finish_reason: null }] },
      {
        ...base,
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] },
            finish_reason: null,
          },
        ],
      },
      { ...base, choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
      text('last', { circuit_breaker: { provider: 'p', model: 'm', deployment: 'p/m', attempts: 1 } }),
      text('after'),
    ];
    const serialize = createOpenAIChunkSerializer();
    for (const chunk of chunks) expect(serialize(chunk)).toBe(JSON.stringify(chunk));
  });
});
