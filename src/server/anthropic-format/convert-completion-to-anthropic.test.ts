import { describe, expect, it } from 'vitest';
import { UpstreamMalformedError } from '../../core/errors/upstream-errors.js';
import type { ChatCompletion, CompletionMessage, FinishReason } from '../../core/types/chat-chunk.js';
import { convertCompletionToAnthropic } from './convert-completion-to-anthropic.js';

function completion(message: Partial<CompletionMessage>, finishReason: FinishReason = 'stop'): ChatCompletion {
  return {
    id: 'chatcmpl-9',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-4o-mini',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: null, refusal: null, ...message },
        finish_reason: finishReason,
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: 30, completion_tokens: 12, total_tokens: 42 },
    circuit_breaker: { provider: 'openai', model: 'gpt-4o-mini', deployment: 'openai-main', attempts: 1 },
  };
}

describe('convertCompletionToAnthropic', () => {
  it('converts a text answer', () => {
    expect(convertCompletionToAnthropic(completion({ content: 'Hello' }), { messageId: 'msg_1' })).toStrictEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o-mini',
      content: [{ type: 'text', text: 'Hello' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 30, output_tokens: 12 },
    });
  });

  it('orders thinking, text and tool uses, with inputs parsed', () => {
    const message = convertCompletionToAnthropic(
      completion(
        {
          content: 'Checking.',
          reasoning_content: 'Need weather.',
          reasoning_signature: 'sig',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '' } },
          ],
        },
        'tool_calls',
      ),
    );
    expect(message.id).toBe('chatcmpl-9');
    expect(message.content).toStrictEqual([
      { type: 'thinking', thinking: 'Need weather.', signature: 'sig' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { location: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'get_time', input: {} },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it.each([
    ['length', 'max_tokens'],
    ['content_filter', 'refusal'],
  ] as const)('maps finish_reason %s to %s', (finishReason, stopReason) => {
    expect(convertCompletionToAnthropic(completion({ content: 'x' }, finishReason)).stop_reason).toBe(stopReason);
  });

  it('turns a refusal into text', () => {
    expect(
      convertCompletionToAnthropic(completion({ refusal: 'I cannot help.' }, 'content_filter')).content,
    ).toStrictEqual([{ type: 'text', text: 'I cannot help.' }]);
  });

  it.each(['{"location":', '["a"]'])('rejects tool arguments %s that are not a JSON object', (args) => {
    const bad = completion({ tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: args } }] });
    expect(() => convertCompletionToAnthropic(bad)).toThrow(UpstreamMalformedError);
  });
});
