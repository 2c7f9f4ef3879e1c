import { describe, expect, it } from 'vitest';
import { createFixtureReader, createProviderHarness } from '../../../../test/support/provider-harness.js';
import { UpstreamMalformedError } from '../../errors/upstream-errors.js';
import { anthropicAdapter } from './anthropic-adapter.js';
import { convertAnthropicResponse } from './convert-response.js';

const readFixture = createFixtureReader(import.meta.url);
const harness = createProviderHarness(anthropicAdapter, { apiKey: 'sk-ant-test-123456' });

async function complete(fixture: string) {
  const { server, provider } = await harness.serve({
    body: readFixture(fixture),
    headers: { 'content-type': 'application/json', 'request-id': 'req_01' },
    writes: { random: 3 },
  });
  const completion = await provider.complete({
    model: 'claude-sonnet-4-5',
    request: { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }], stream: false },
  });
  const sent = server.requests[0];
  expect(sent.path).toBe('/v1/messages');
  expect((sent.body as { stream?: boolean }).stream).toBeUndefined();
  return completion;
}

describe('convertAnthropicResponse through a real socket', () => {
  it('converts a text answer', async () => {
    const completion = await complete('message-text.json');
    expect(completion.message).toEqual({ role: 'assistant', content: 'Hello!', refusal: null });
    expect(completion.finishReason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(completion.upstreamId).toBe('msg_01TestTextResponse');
    expect(completion.upstreamModel).toBe('claude-opus-4-7');
    expect(completion.headers.get('request-id')).toBe('req_01');
  });

  it('converts thinking, text and tool_use; counts cache tokens as prompt tokens', async () => {
    const completion = await complete('message-tool-use.json');
    expect(completion.message).toEqual({
      role: 'assistant',
      content: "I'll check the current weather in San Francisco for you.",
      refusal: null,
      reasoning_content: 'The user wants the weather in San Francisco; I should call get_weather.',
      reasoning_signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds',
      tool_calls: [
        {
          id: 'toolu_01A09q90qw90lq917835lq9',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
        },
      ],
    });
    expect(completion.finishReason).toBe('tool_calls');
    expect(completion.usage).toEqual({ prompt_tokens: 500, completion_tokens: 78, total_tokens: 578 });
  });
});

describe('convertAnthropicResponse (pure)', () => {
  it('gives null content for a tool-only answer and skips unknown blocks', () => {
    const result = convertAnthropicResponse(
      {
        content: [
          { type: 'redacted_thinking', data: 'opaque' },
          { type: 'tool_use', id: 't1', name: 'f', input: {} },
        ],
        stop_reason: 'tool_use',
      },
      'anthropic',
    );
    expect(result.message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '{}' } }],
    });
    expect(result.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it('rejects a body that is not a message', () => {
    expect(() => convertAnthropicResponse({ type: 'error' }, 'anthropic')).toThrow(UpstreamMalformedError);
    expect(() => convertAnthropicResponse('nope', 'anthropic')).toThrow(UpstreamMalformedError);
  });
});
