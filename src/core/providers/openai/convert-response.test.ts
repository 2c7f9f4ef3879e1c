import { describe, expect, it } from 'vitest';
import { createFixtureReader, createProviderHarness } from '../../../../test/support/provider-harness.js';
import { UpstreamMalformedError } from '../../errors/upstream-errors.js';
import { convertOpenAIResponse } from './convert-response.js';
import { openaiAdapter } from './openai-adapter.js';

const fixture = createFixtureReader(import.meta.url);
const harness = createProviderHarness(openaiAdapter, { apiKey: 'sk-test-123456' });

async function complete(body: string) {
  const { server, provider } = await harness.serve({
    body,
    headers: { 'content-type': 'application/json', 'x-request-id': 'req_1' },
  });
  const result = await provider.complete({
    model: 'gpt-4o',
    request: { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], stream: true },
  });
  return { result, request: server.requests[0] };
}

describe('convertOpenAIResponse through a real socket', () => {
  it('a text completion', async () => {
    const { result, request } = await complete(fixture('openai-text.json'));
    expect(request.body).toMatchObject({ stream: false });
    expect(request.body).not.toHaveProperty('stream_options');
    expect(result.message).toEqual({
      role: 'assistant',
      content: '**Holiday Name:** Galaxy Day  \n\n**Date:** October 31st.',
      refusal: null,
    });
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({ prompt_tokens: 16, completion_tokens: 363, total_tokens: 379 });
    expect(result.upstreamId).toBe('chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU');
    expect(result.upstreamModel).toBe('gpt-4.1-nano-2025-04-14');
    expect(result.headers.get('x-request-id')).toBe('req_1');
  });

  it('a tool-call completion keeps its calls', async () => {
    const { result } = await complete(fixture('openai-tool-call.json'));
    expect(result.finishReason).toBe('tool_calls');
    expect(result.message.content).toBeNull();
    expect(result.message.tool_calls).toEqual([
      {
        id: 'call_qOfTGgDrItLORNfC6VwUbyLL',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"location":"Shanghai"}' },
      },
    ]);
  });

  it('reasoning_content (DeepSeek) is kept on the message', async () => {
    const { result } = await complete(fixture('deepseek-reasoning-content.json'));
    expect(result.message.reasoning_content).toBe('9.11 vs 9.8: compare tenths.');
    expect(result.message.content).toBe('9.8 is greater.');
  });
});

describe('convertOpenAIResponse, pure', () => {
  it('reasoning (OpenRouter/Ollama) and object arguments are normalized', () => {
    const result = convertOpenAIResponse(
      {
        id: 'x',
        choices: [
          {
            finish_reason: 'tool_calls',
            message: {
              content: '',
              reasoning: 'thinking',
              tool_calls: [{ id: 'c1', function: { name: 'f', arguments: { a: 1 } } }],
            },
          },
        ],
      },
      'local',
    );
    expect(result.message.reasoning_content).toBe('thinking');
    expect(result.message.tool_calls?.[0].function.arguments).toBe('{"a":1}');
    expect(result.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it.each([null, 'text', {}, { choices: [] }, { choices: [{ message: null }] }])('malformed body %j', (body) => {
    expect(() => convertOpenAIResponse(body, 'openai')).toThrow(UpstreamMalformedError);
  });

  it('a tool call without a name is malformed', () => {
    expect(() =>
      convertOpenAIResponse({ choices: [{ message: { tool_calls: [{ id: 'c', function: {} }] } }] }, 'openai'),
    ).toThrow(UpstreamMalformedError);
  });
});
