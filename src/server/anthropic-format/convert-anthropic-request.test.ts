import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../core/errors/request-errors.js';
import { chatCompletionRequestSchema } from '../../core/types/chat-request.js';
import { convertAnthropicRequest } from './convert-anthropic-request.js';

const base = { model: 'gemini-2.5-flash', max_tokens: 256 };

function invalidParam(body: unknown): { param: string | undefined; message: string } {
  try {
    convertAnthropicRequest(body);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    const invalid = error as InvalidRequestError;
    return { param: invalid.param, message: invalid.message };
  }
  throw new Error('expected an InvalidRequestError');
}

describe('convertAnthropicRequest', () => {
  it('converts a minimal request and stays valid in the unified schema', () => {
    const converted = convertAnthropicRequest({ ...base, messages: [{ role: 'user', content: 'Hi' }] });
    expect(converted).toStrictEqual({ ...base, messages: [{ role: 'user', content: 'Hi' }] });
    expect(chatCompletionRequestSchema.safeParse(converted).success).toBe(true);
  });

  it.each([
    ['string', 'You are terse.', { role: 'system', content: 'You are terse.' }],
    [
      'text blocks',
      [
        { type: 'text', text: 'A', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'B' },
      ],
      {
        role: 'system',
        content: [
          { type: 'text', text: 'A' },
          { type: 'text', text: 'B' },
        ],
      },
    ],
  ])('turns a %s system prompt into a leading system message', (_name, system, expected) => {
    const converted = convertAnthropicRequest({ ...base, system, messages: [{ role: 'user', content: 'Hi' }] });
    expect(converted.messages).toStrictEqual([expected, { role: 'user', content: 'Hi' }]);
  });

  it('converts base64 and url images into image_url parts', () => {
    const converted = convertAnthropicRequest({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBOR' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    expect(converted.messages).toStrictEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Compare' },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBOR' } },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
    expect(chatCompletionRequestSchema.safeParse(converted).success).toBe(true);
  });

  it('round-trips thinking, tool_use and tool_result turns', () => {
    const converted = convertAnthropicRequest({
      ...base,
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Two cities.', signature: 'sig-1' },
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { location: 'Paris' } },
            { type: 'tool_use', id: 'toolu_02', name: 'get_weather', input: { location: 'Rome' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_01', content: '{"temp_c":18}' },
            {
              type: 'tool_result',
              tool_use_id: 'toolu_02',
              content: [{ type: 'text', text: 'timeout' }],
              is_error: true,
            },
            { type: 'text', text: 'Summarize.' },
          ],
        },
      ],
    });
    expect(converted.messages).toStrictEqual([
      { role: 'user', content: 'Weather in Paris and Rome?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } },
          { id: 'toolu_02', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Rome"}' } },
        ],
        reasoning_content: 'Two cities.',
        reasoning_signature: 'sig-1',
      },
      { role: 'tool', tool_call_id: 'toolu_01', content: '{"temp_c":18}' },
      { role: 'tool', tool_call_id: 'toolu_02', content: [{ type: 'text', text: 'Error: timeout' }] },
      { role: 'user', content: [{ type: 'text', text: 'Summarize.' }] },
    ]);
    expect(chatCompletionRequestSchema.safeParse(converted).success).toBe(true);
  });

  it('gives a tool-only assistant turn null content and error results without content an Error prefix', () => {
    const converted = convertAnthropicRequest({
      ...base,
      messages: [
        { role: 'user', content: 'Go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'run', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', is_error: true }] },
      ],
    });
    expect(converted.messages.slice(1)).toStrictEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 't1', type: 'function', function: { name: 'run', arguments: '{}' } }],
      },
      { role: 'tool', tool_call_id: 't1', content: 'Error: ' },
    ]);
  });

  it('moves images returned by a tool into the user message after the tool messages', () => {
    const converted = convertAnthropicRequest({
      ...base,
      messages: [
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 't1',
              content: [
                { type: 'text', text: 'screenshot' },
                { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/' } },
              ],
            },
          ],
        },
      ],
    });
    expect(converted.messages).toStrictEqual([
      { role: 'tool', tool_call_id: 't1', content: [{ type: 'text', text: 'screenshot' }] },
      { role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/' } }] },
    ]);
  });

  it('converts tools and their schemas', () => {
    const input_schema = { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] };
    const converted = convertAnthropicRequest({
      ...base,
      messages: [{ role: 'user', content: 'Hi' }],
      tools: [
        { name: 'get_weather', description: 'Current weather', input_schema },
        { name: 'noop', input_schema: {} },
      ],
    });
    expect(converted.tools).toStrictEqual([
      { type: 'function', function: { name: 'get_weather', description: 'Current weather', parameters: input_schema } },
      { type: 'function', function: { name: 'noop', parameters: {} } },
    ]);
  });

  it.each([
    [{ type: 'auto' }, 'auto', undefined],
    [{ type: 'any' }, 'required', undefined],
    [{ type: 'none' }, 'none', undefined],
    [{ type: 'tool', name: 'get_weather' }, { type: 'function', function: { name: 'get_weather' } }, undefined],
    [{ type: 'auto', disable_parallel_tool_use: true }, 'auto', false],
    [{ type: 'any', disable_parallel_tool_use: false }, 'required', undefined],
  ])('maps tool_choice %j', (tool_choice, expected, parallel) => {
    const converted = convertAnthropicRequest({ ...base, messages: [{ role: 'user', content: 'Hi' }], tool_choice });
    expect(converted.tool_choice).toStrictEqual(expected);
    expect(converted.parallel_tool_calls).toBe(parallel);
  });

  it('maps sampling, stop sequences, user, streaming and the routing extension', () => {
    const converted = convertAnthropicRequest({
      ...base,
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.2,
      top_p: 0.9,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-42' },
      stream: true,
      circuit_breaker: { routing_strategy: 'latency', fallback_models: ['gpt-4o-mini'] },
    });
    expect(converted).toStrictEqual({
      ...base,
      messages: [{ role: 'user', content: 'Hi' }],
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      user: 'u-42',
      stream: true,
      stream_options: { include_usage: true },
      circuit_breaker: { routing_strategy: 'latency', fallback_models: ['gpt-4o-mini'] },
    });
  });

  it.each([
    [1024, 'low'],
    [2048, 'low'],
    [2049, 'medium'],
    [8192, 'medium'],
    [8193, 'high'],
  ])('maps a thinking budget of %i to reasoning_effort %s', (budget_tokens, effort) => {
    const converted = convertAnthropicRequest({
      ...base,
      max_tokens: 16000,
      messages: [{ role: 'user', content: 'Hi' }],
      thinking: { type: 'enabled', budget_tokens },
    });
    expect(converted.reasoning_effort).toBe(effort);
  });

  it('sets no reasoning_effort for disabled or adaptive thinking', () => {
    for (const thinking of [{ type: 'disabled' }, { type: 'adaptive' }]) {
      const converted = convertAnthropicRequest({ ...base, messages: [{ role: 'user', content: 'Hi' }], thinking });
      expect(converted.reasoning_effort).toBeUndefined();
    }
  });

  describe('rejects bad requests naming the field', () => {
    const messages = [{ role: 'user', content: 'Hi' }];
    it.each([
      ['missing max_tokens', { model: 'm', messages }, 'max_tokens', 'max_tokens: Field required'],
      ['string max_tokens', { ...base, max_tokens: '5', messages }, 'max_tokens', undefined],
      ['missing model', { max_tokens: 5, messages }, 'model', 'model: Field required'],
      ['empty messages', { ...base, messages: [] }, 'messages', undefined],
      ['system role', { ...base, messages: [{ role: 'system', content: 'x' }] }, 'messages.0.role', undefined],
      [
        'unknown block type',
        { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'audio' }] }] },
        'messages.0.content.1.type',
        undefined,
      ],
      [
        'tool_use in a user turn',
        { ...base, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 't', name: 'n', input: {} }] }] },
        'messages.0.content.0.type',
        undefined,
      ],
      [
        'tool_result in an assistant turn',
        { ...base, messages: [{ role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 't' }] }] },
        'messages.0.content.0.type',
        undefined,
      ],
      [
        'ftp image url',
        {
          ...base,
          messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'ftp://x/y.png' } }] }],
        },
        'messages.0.content.0.source.url',
        undefined,
      ],
      ['temperature above 1', { ...base, messages, temperature: 1.5 }, 'temperature', undefined],
      ['top_k', { ...base, messages, top_k: 40 }, 'top_k', undefined],
      ['unknown field', { ...base, messages, frequency_penalty: 1 }, 'frequency_penalty', undefined],
      [
        'small thinking budget',
        { ...base, messages, thinking: { type: 'enabled', budget_tokens: 10 } },
        'thinking.budget_tokens',
        undefined,
      ],
      ['tool without schema', { ...base, messages, tools: [{ name: 'x' }] }, 'tools.0.input_schema', undefined],
      [
        'content neither string nor list',
        { ...base, messages: [{ role: 'user', content: 5 }] },
        'messages.0.content',
        undefined,
      ],
      [
        'text block without text',
        { ...base, messages: [{ role: 'user', content: [{ type: 'text' }] }] },
        'messages.0.content.0.text',
        'messages.0.content.0.text: Field required',
      ],
      ['tool choice without name', { ...base, messages, tool_choice: { type: 'tool' } }, 'tool_choice.name', undefined],
      ['not an object', 'hello', 'body', undefined],
    ])('%s', (_name, body, param, message) => {
      const error = invalidParam(body);
      expect(error.param).toBe(param);
      expect(error.message.startsWith(`${param}: `)).toBe(true);
      if (message) expect(error.message).toBe(message);
    });
  });
});
