import type { ChatCompletionChunk, ChunkDelta, FinishReason, Usage } from '../../core/types/chat-chunk.js';

/**
 * Realistic unified chunk sequences for the encoder tests, shaped like what our adapters emit: OpenAI's role-only
 * first chunk, a finish chunk, then the usage-only chunk with empty `choices` (`stream_options.include_usage`).
 */
function chunk(delta: ChunkDelta, finishReason: FinishReason | null = null): ChatCompletionChunk {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'gemini-2.5-flash',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  };
}

function usageChunk(usage: Usage): ChatCompletionChunk {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'gemini-2.5-flash',
    choices: [],
    usage,
  };
}

export const textOnlyChunks: ChatCompletionChunk[] = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ content: 'Hello' }),
  chunk({ content: ', "world"\n' }),
  chunk({}, 'stop'),
  usageChunk({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 }),
];

export const thinkingThenTextChunks: ChatCompletionChunk[] = [
  chunk({ role: 'assistant', reasoning_content: 'Let me think' }),
  chunk({ reasoning_content: ' about it.' }),
  chunk({ reasoning_signature: 'EqQBCgIYAhIM' }),
  chunk({ content: '42' }),
  chunk({}, 'stop'),
  usageChunk({ prompt_tokens: 20, completion_tokens: 9, total_tokens: 29 }),
];

export const parallelToolCallChunks: ChatCompletionChunk[] = [
  chunk({ role: 'assistant', content: 'Checking both.' }),
  chunk({
    tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }],
  }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
  chunk({
    tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"loc' } }],
  }),
  chunk({ tool_calls: [{ index: 1, function: { arguments: 'ation":"Rome"}' } }] }),
  chunk({}, 'tool_calls'),
  usageChunk({ prompt_tokens: 50, completion_tokens: 30, total_tokens: 80 }),
];

/** Usage arrives on the finish chunk itself (some adapters): `message_delta` goes out with it. */
export const usageOnFinishChunks: ChatCompletionChunk[] = [
  chunk({ content: 'Truncat' }),
  { ...chunk({}, 'length'), usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } },
];
