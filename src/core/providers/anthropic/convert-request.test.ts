import { describe, expect, it } from 'vitest';
import { createProviderHarness, drainStream } from '../../../../test/support/provider-harness.js';
import type { RecordedRequest } from '../../../../test/support/replay-server.js';
import { UnsupportedParameterError } from '../../errors/request-errors.js';
import type { ChatCompletionRequest, ChatMessage } from '../../types/chat-request.js';
import type { Continuation } from '../provider.js';
import { anthropicAdapter } from './anthropic-adapter.js';
import { convertAnthropicRequest } from './convert-request.js';

/** A request as the caller writes it; the model is filled in. */
type RequestWithoutModel = Partial<ChatCompletionRequest> & Pick<ChatCompletionRequest, 'messages'>;

const okStream = [
  'event: message_start',
  'data: {"type":"message_start","message":{"id":"msg_1","model":"claude-sonnet-4-5","usage":{"input_tokens":1}}}',
  '',
  'event: message_delta',
  'data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":1}}',
  '',
  'event: message_stop',
  'data: {"type":"message_stop"}',
  '',
  '',
].join('\n');

const harness = createProviderHarness(anthropicAdapter, { apiKey: 'sk-ant-test-123456' });

/** Streams one request through a real socket and returns what the server received. */
async function send(request: RequestWithoutModel, continuation?: Continuation): Promise<RecordedRequest> {
  const { server, provider } = await harness.serve({ body: okStream });
  await drainStream(provider, {
    model: 'claude-sonnet-4-5',
    request: { model: 'anthropic/claude-sonnet-4-5', ...request },
    continuation,
  });
  expect(server.requests).toHaveLength(1);
  return server.requests[0];
}

const convert = (request: RequestWithoutModel) =>
  convertAnthropicRequest({
    request: { model: 'm', ...request },
    model: 'claude-sonnet-4-5',
    stream: false,
    baseUrl: 'https://api.anthropic.com',
    apiKey: 'k',
    providerName: 'anthropic',
  });

const user = (content: string): ChatMessage => ({ role: 'user', content });

describe('convertAnthropicRequest, as received by a real server', () => {
  it('posts to /v1/messages with the key and version headers, a default max_tokens and stream: true', async () => {
    const received = await send({ messages: [user('Hello')] });
    expect(received.method).toBe('POST');
    expect(received.path).toBe('/v1/messages');
    expect(received.headers['x-api-key']).toBe('sk-ant-test-123456');
    expect(received.headers['anthropic-version']).toBe('2023-06-01');
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.headers.authorization).toBeUndefined();
    expect(received.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      stream: true,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    });
  });

  it('moves system and developer messages to the top-level system, joined', async () => {
    const received = await send({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        user('Hello'),
      ],
    });
    expect(received.body).toMatchObject({
      system: 'You are terse.\n\nAnswer in French.',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }] }],
    });
  });

  it('maps https and data: image URLs', async () => {
    const received = await send({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these.' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
    });
    expect((received.body as { messages: unknown }).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare these.' },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
        ],
      },
    ]);
  });

  it('maps tools, tool_choice and parallel_tool_calls: false', async () => {
    const parameters = { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] };
    const received = await send({
      messages: [user('Weather in Paris?')],
      tools: [
        { type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters } },
        { type: 'function', function: { name: 'get_time' } },
      ],
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
    expect(received.body).toMatchObject({
      tools: [
        { name: 'get_weather', description: 'Current weather', input_schema: parameters },
        { name: 'get_time', input_schema: { type: 'object', properties: {} } },
      ],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    });
  });

  it('maps assistant tool_calls to tool_use and merges tool results and the next user message into one turn', async () => {
    const received = await send({
      messages: [
        user('Weather in Paris and Tokyo?'),
        {
          role: 'assistant',
          content: 'Checking both.',
          tool_calls: [
            { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
            { id: 'toolu_2', type: 'function', function: { name: 'get_time', arguments: '' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_1', content: '{"temp_c":18}' },
        { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '09:00' }] },
        user('Thanks, and in Celsius?'),
      ],
    });
    expect((received.body as { messages: unknown }).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Tokyo?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: '{"temp_c":18}' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: '09:00' }] },
          { type: 'text', text: 'Thanks, and in Celsius?' },
        ],
      },
    ]);
  });

  it('replays signed reasoning as a thinking block placed first in the assistant turn', async () => {
    const received = await send({
      reasoning_effort: 'medium',
      messages: [
        user('Weather in Florence?'),
        {
          role: 'assistant',
          content: null,
          reasoning_content: 'I should call weather.',
          reasoning_signature: 'EsQDCkYICBgCKkBr9',
          tool_calls: [
            { id: 'toolu_9', type: 'function', function: { name: 'weather', arguments: '{"location":"Florence"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'toolu_9', content: '40 C' },
      ],
    });
    const body = received.body as { messages: { content: unknown[] }[]; thinking: unknown; max_tokens: number };
    expect(body.messages[1].content).toEqual([
      { type: 'thinking', thinking: 'I should call weather.', signature: 'EsQDCkYICBgCKkBr9' },
      { type: 'tool_use', id: 'toolu_9', name: 'weather', input: { location: 'Florence' } },
    ]);
    // The default 4096 equals the medium budget, so the answer's 4096 is kept on top of it.
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 4096 });
    expect(body.max_tokens).toBe(8192);
  });

  it('appends the continuation as a final assistant prefill without trailing whitespace', async () => {
    const received = await send({ messages: [user('Tell a story.')] }, { assistantText: 'Once upon a time, \n' });
    expect((received.body as { messages: unknown }).messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Tell a story.' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Once upon a time,' }] },
    ]);
  });

  it('rejects temperature above 1 before any request is sent', async () => {
    const { server, provider } = await harness.serve({ body: okStream }, { apiKey: undefined });
    const attempt = provider.stream({
      model: 'claude-sonnet-4-5',
      request: { model: 'claude-sonnet-4-5', messages: [user('Hi')], temperature: 1.5 },
    });
    await expect(attempt).rejects.toBeInstanceOf(UnsupportedParameterError);
    await expect(attempt).rejects.toMatchObject({ param: 'temperature', code: 'UNSUPPORTED_PARAMETER', status: 400 });
    expect(server.requests).toHaveLength(0);
  });
});

describe('convertAnthropicRequest (pure)', () => {
  it('maps the sampling parameters, stop, user and max_completion_tokens; drops seed and metadata', () => {
    const { body, url } = convert({
      messages: [user('Hi')],
      temperature: 0.3,
      top_p: 0.9,
      stop: 'END',
      user: 'user-42',
      max_completion_tokens: 100,
      max_tokens: 50,
      seed: 7,
      metadata: { trace: 'x' },
    });
    expect(url).toBe('https://api.anthropic.com/v1/messages');
    expect(body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stop_sequences: ['END'],
      temperature: 0.3,
      top_p: 0.9,
      metadata: { user_id: 'user-42' },
    });
  });

  it.each([
    ['auto', { type: 'auto' }],
    ['none', { type: 'none' }],
    ['required', { type: 'any' }],
    [
      { type: 'function', function: { name: 'get_weather' } },
      { type: 'tool', name: 'get_weather' },
    ],
  ] as const)('maps tool_choice %j', (toolChoice, expected) => {
    const { body } = convert({
      messages: [user('Hi')],
      tools: [{ type: 'function', function: { name: 'get_weather' } }],
      tool_choice: toolChoice,
    });
    expect((body as { tool_choice: unknown }).tool_choice).toEqual(expected);
  });

  it('keeps a max_tokens above the thinking budget and raises one below it', () => {
    expect(convert({ messages: [user('Hi')], reasoning_effort: 'low', max_tokens: 2000 }).body).toMatchObject({
      max_tokens: 2000,
      thinking: { type: 'enabled', budget_tokens: 1024 },
    });
    expect(convert({ messages: [user('Hi')], reasoning_effort: 'high', max_tokens: 1000 }).body).toMatchObject({
      max_tokens: 17384,
      thinking: { type: 'enabled', budget_tokens: 16384 },
    });
  });

  it.each([
    [{ response_format: { type: 'json_object' } }, 'response_format'],
    [
      { response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } } },
      'response_format',
    ],
    [{ presence_penalty: 0.5 }, 'presence_penalty'],
    [{ frequency_penalty: -1 }, 'frequency_penalty'],
  ] as const)('rejects %j naming %s', (extra, param) => {
    expect(() => convert({ messages: [user('Hi')], ...extra })).toThrowError(
      expect.objectContaining({ code: 'UNSUPPORTED_PARAMETER', param }),
    );
  });

  it('accepts temperature 1 and response_format text', () => {
    expect(() => convert({ messages: [user('Hi')], temperature: 1, response_format: { type: 'text' } })).not.toThrow();
  });

  it('drops unsigned reasoning (from another provider) and merges consecutive user messages', () => {
    const { body } = convert({
      messages: [user('a'), user('b'), { role: 'assistant', content: 'c', reasoning_content: 'unsigned thoughts' }],
    });
    expect((body as { messages: unknown }).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'c' }] },
    ]);
  });

  it('rejects tool-call arguments that are not a JSON object', () => {
    const call = (args: string): ChatMessage => ({
      role: 'assistant',
      tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: args } }],
    });
    expect(() => convert({ messages: [user('Hi'), call('{oops')] })).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST', param: 'messages' }),
    );
    expect(() => convert({ messages: [user('Hi'), call('[1]')] })).toThrowError(
      expect.objectContaining({ code: 'INVALID_REQUEST' }),
    );
  });

  it('does not enable thinking for a continuation (the prefill cannot start with a signed thinking block)', () => {
    const { body } = convertAnthropicRequest({
      request: { model: 'm', messages: [user('Tell a story.')], reasoning_effort: 'high' },
      model: 'claude-sonnet-4-5',
      stream: true,
      baseUrl: 'https://api.anthropic.com',
      apiKey: 'k',
      providerName: 'anthropic',
      continuation: { assistantText: 'Once upon a time' },
    });
    expect(body).toMatchObject({ max_tokens: 4096 });
    expect((body as { thinking?: unknown }).thinking).toBeUndefined();
    expect((body as { messages: unknown[] }).messages.at(-1)).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'Once upon a time' }],
    });
  });

  it('ignores a whitespace-only continuation', () => {
    const { body } = convertAnthropicRequest({
      request: { model: 'm', messages: [user('Hi')] },
      model: 'm',
      stream: true,
      baseUrl: 'https://api.anthropic.com',
      apiKey: 'k',
      providerName: 'anthropic',
      continuation: { assistantText: ' \n' },
    });
    expect((body as { messages: unknown[] }).messages).toHaveLength(1);
  });

  it('omits x-api-key when no key is configured', () => {
    const { headers } = convertAnthropicRequest({
      request: { model: 'm', messages: [user('Hi')] },
      model: 'm',
      stream: true,
      baseUrl: 'http://localhost:1',
      apiKey: undefined,
      providerName: 'anthropic',
    });
    expect(headers).toEqual({ 'anthropic-version': '2023-06-01' });
  });
});
