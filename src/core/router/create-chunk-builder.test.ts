import { describe, expect, it } from 'vitest';
import { createChunkBuilder } from './create-chunk-builder.js';

describe('createChunkBuilder', () => {
  it('puts the role on the first content chunk and holds finish and usage for the end', () => {
    const builder = createChunkBuilder({ id: 'chatcmpl-1', model: 'm', created: 1 });
    expect(builder.push({ type: 'response-metadata', id: 'x' })).toBeUndefined();
    expect(builder.push({ type: 'text-delta', text: 'Hi' })?.choices[0].delta).toEqual({
      role: 'assistant',
      content: 'Hi',
    });
    expect(builder.push({ type: 'text-delta', text: '!' })?.choices[0].delta).toEqual({ content: '!' });
    expect(builder.push({ type: 'finish', reason: 'stop' })).toBeUndefined();
    expect(
      builder.push({ type: 'usage', usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }),
    ).toBeUndefined();
    const closing = builder.finish({ includeUsage: true });
    expect(closing.map((chunk) => chunk.choices[0]?.finish_reason ?? 'usage')).toEqual(['stop', 'usage']);
    expect(closing[1]).toMatchObject({ choices: [], usage: { total_tokens: 5 }, object: 'chat.completion.chunk' });
  });

  it('emits tool calls in OpenAI delta form, kept apart by index', () => {
    const builder = createChunkBuilder({ id: 'c', model: 'm', created: 1 });
    const first = builder.push({ type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' });
    const second = builder.push({ type: 'tool-call-start', index: 1, id: 'call_b', name: 'get_time' });
    const argumentsChunk = builder.push({ type: 'tool-call-delta', index: 1, argumentsDelta: '{"tz":' });
    expect(first?.choices[0].delta.tool_calls).toEqual([
      { index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } },
    ]);
    expect(second?.choices[0].delta.tool_calls?.[0].index).toBe(1);
    expect(argumentsChunk?.choices[0].delta.tool_calls).toEqual([{ index: 1, function: { arguments: '{"tz":' } }]);
  });
});
