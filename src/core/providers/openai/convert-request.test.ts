import { describe, expect, it } from 'vitest';
import { createProviderHarness, drainStream } from '../../../../test/support/provider-harness.js';
import type { ChatCompletionRequest } from '../../types/chat-request.js';
import { CONTINUATION_INSTRUCTION } from '../shared/continuation.js';
import { convertOpenAIRequest, isOpenAIReasoningModel } from './convert-request.js';
import { openaiAdapter } from './openai-adapter.js';

const done = [
  `data: ${JSON.stringify({ id: 'chatcmpl-1', model: 'gpt-4o', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}`,
  '',
  'data: [DONE]',
  '',
  '',
].join('\n');

const harness = createProviderHarness(openaiAdapter, { apiKey: 'sk-test-123456' });

/** Sends one streamed request through the real provider path and returns what the server received. */
async function sendAndRecord(
  request: ChatCompletionRequest,
  options: { model?: string; apiKey?: string; assistantText?: string } = {},
) {
  const { server, provider } = await harness.serve(
    { body: done },
    'apiKey' in options ? { apiKey: options.apiKey } : {},
  );
  await drainStream(provider, {
    model: options.model ?? 'gpt-4o-2024-08-06',
    request,
    continuation: options.assistantText === undefined ? undefined : { assistantText: options.assistantText },
  });
  expect(server.requests).toHaveLength(1);
  return server.requests[0];
}

describe('convertOpenAIRequest, as received by a real server', () => {
  it('system + user with https and data: images; bearer key; model replaced; usage always requested', async () => {
    const request: ChatCompletionRequest = {
      model: 'smart',
      messages: [
        { role: 'system', content: 'You are terse.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these images?' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
      temperature: 0.2,
      circuit_breaker: { routing_strategy: 'latency', fallback_models: ['cheap'] },
    };
    const received = await sendAndRecord(request);
    expect(received.method).toBe('POST');
    expect(received.path).toBe('/v1/chat/completions');
    expect(received.headers.authorization).toBe('Bearer sk-test-123456');
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.body).toEqual({
      model: 'gpt-4o-2024-08-06',
      messages: request.messages,
      temperature: 0.2,
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('assistant tool_calls and tool results; our extension fields are stripped', async () => {
    const received = await sendAndRecord({
      model: 'smart',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'I should call the tool.',
          reasoning_signature: 'sig-abc',
          thought_signature: 'thought-xyz',
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
              thought_signature: 'thought-call',
            },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp_c":18}' },
      ],
    });
    expect((received.body as { messages: unknown }).messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp_c":18}' },
    ]);
    expect(received.bodyText).not.toContain('signature');
    expect(received.bodyText).not.toContain('reasoning_content');
  });

  it('tools and tool_choice pass through unchanged', async () => {
    const tools: ChatCompletionRequest['tools'] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather',
          parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
          strict: true,
        },
      },
    ];
    const received = await sendAndRecord({
      model: 'smart',
      messages: [{ role: 'user', content: 'Hi' }],
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
    });
    expect(received.body).toMatchObject({
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
    });
  });

  it('reasoning models get max_completion_tokens instead of max_tokens', async () => {
    const received = await sendAndRecord(
      { model: 'smart', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 256 },
      { model: 'o3-mini' },
    );
    const body = received.body as Record<string, unknown>;
    expect(body.max_completion_tokens).toBe(256);
    expect(body).not.toHaveProperty('max_tokens');
  });

  it('other models keep max_tokens', async () => {
    const received = await sendAndRecord({
      model: 'smart',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 256,
    });
    expect(received.body).toMatchObject({ max_tokens: 256 });
  });

  it('continuation appends the partial answer and the instruction', async () => {
    const received = await sendAndRecord(
      { model: 'smart', messages: [{ role: 'user', content: 'Count to five.' }] },
      { assistantText: 'One, two,' },
    );
    expect((received.body as { messages: unknown }).messages).toEqual([
      { role: 'user', content: 'Count to five.' },
      { role: 'assistant', content: 'One, two,' },
      { role: 'user', content: CONTINUATION_INSTRUCTION },
    ]);
  });

  it('sends no authorization header without a key', async () => {
    const received = await sendAndRecord(
      { model: 'smart', messages: [{ role: 'user', content: 'Hi' }] },
      { apiKey: undefined },
    );
    expect(received.headers.authorization).toBeUndefined();
  });
});

describe('convertOpenAIRequest, pure', () => {
  const base = { baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-x', providerName: 'openai' };

  it('a non-streamed request carries no stream_options', () => {
    const upstream = convertOpenAIRequest({
      ...base,
      model: 'gpt-4o',
      stream: false,
      request: {
        model: 'x',
        messages: [{ role: 'user', content: 'Hi' }],
        stream: true,
        stream_options: { include_usage: true },
      },
    });
    expect(upstream.body).toMatchObject({ stream: false });
    expect(upstream.body).not.toHaveProperty('stream_options');
  });

  it('keeps an explicit max_completion_tokens over max_tokens for reasoning models', () => {
    const upstream = convertOpenAIRequest({
      ...base,
      model: 'gpt-5-nano',
      stream: true,
      request: { model: 'x', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 10, max_completion_tokens: 99 },
    });
    expect(upstream.body).toMatchObject({ max_completion_tokens: 99 });
    expect(upstream.body).not.toHaveProperty('max_tokens');
  });

  it.each([
    ['o1', true],
    ['o1-mini', true],
    ['o3', true],
    ['o4-mini-2025-04-16', true],
    ['gpt-5', true],
    ['gpt-5-nano', true],
    ['gpt-5.1', true],
    ['gpt-4o', false],
    ['gpt-4.1-nano', false],
    ['omni-moderation', false],
  ])('isOpenAIReasoningModel(%s) is %s', (model, expected) => {
    expect(isOpenAIReasoningModel(model)).toBe(expected);
  });
});
