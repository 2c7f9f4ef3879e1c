import { describe, expect, it } from 'vitest';
import { createFixtureReader, createProviderHarness, drainStream } from '../../../../test/support/provider-harness.js';
import { InvalidRequestError } from '../../errors/request-errors.js';
import { type ChatCompletionRequest, chatCompletionRequestSchema } from '../../types/chat-request.js';
import type { Continuation } from '../provider.js';
import { convertGoogleRequest } from './convert-request.js';
import { googleAdapter } from './google-adapter.js';

const apiKey = 'AIzaTestKey1234567890';
const streamBody = createFixtureReader(import.meta.url)('text-running-usage.sse');

const harness = createProviderHarness(googleAdapter, { apiKey });

/** Sends the request through the real provider to a replay server and returns what the server received. */
async function sendStreaming(request: Omit<ChatCompletionRequest, 'model'>, continuation?: Continuation) {
  const { server, provider } = await harness.serve({ body: streamBody });
  const parsed = chatCompletionRequestSchema.parse({ model: 'gemini-2.5-flash', ...request });
  await drainStream(provider, { model: 'gemini-2.5-flash', request: parsed, continuation });
  expect(server.requests).toHaveLength(1);
  return server.requests[0];
}

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('convertGoogleRequest (as received by the server)', () => {
  it('posts to :streamGenerateContent?alt=sse with the key header, system instruction and user/model roles', async () => {
    const received = await sendStreaming({
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'Why is the sky blue?' },
        { role: 'user', content: 'Briefly.' },
      ],
    });
    expect(received.method).toBe('POST');
    expect(received.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(received.headers['x-goog-api-key']).toBe(apiKey);
    expect(received.headers['content-type']).toBe('application/json');
    expect(received.body).toEqual({
      systemInstruction: { parts: [{ text: 'You are terse.' }, { text: 'Answer in English.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Hello!' }] },
        { role: 'user', parts: [{ text: 'Why is the sky blue?' }, { text: 'Briefly.' }] },
      ],
    });
  });

  it('maps a data: image to inlineData and an https image to fileData with a guessed MIME type', async () => {
    const received = await sendStreaming({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare these.' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.webp?size=large' } },
            { type: 'image_url', image_url: { url: 'https://example.com/photo' } },
          ],
        },
      ],
    });
    expect(received.body).toEqual({
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'Compare these.' },
            { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
            { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/cat.webp?size=large' } },
            { fileData: { mimeType: 'image/jpeg', fileUri: 'https://example.com/photo' } },
          ],
        },
      ],
    });
  });

  it('maps tools and every tool_choice form', async () => {
    const received = await sendStreaming({
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [
        weatherTool,
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
      ],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(received.body).toMatchObject({
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Current weather for a city',
              parameters: weatherTool.function.parameters,
            },
            { name: 'get_time' },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
    });
    const choice = (toolChoice: ChatCompletionRequest['tool_choice']) =>
      (
        convertGoogleRequest({
          request: { model: 'm', messages: [{ role: 'user', content: 'x' }], tool_choice: toolChoice },
          model: 'm',
          stream: true,
          baseUrl: 'https://g',
          apiKey,
          providerName: 'google',
        }).body as { toolConfig: unknown }
      ).toolConfig;
    expect(choice('auto')).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
    expect(choice('required')).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(choice('none')).toEqual({ functionCallingConfig: { mode: 'NONE' } });
  });

  it('sends tool calls as functionCall parts and tool results as functionResponse parts named by lookup', async () => {
    const received = await sendStreaming({
      messages: [
        { role: 'user', content: 'Weather in Paris and Tokyo?' },
        {
          role: 'assistant',
          content: 'Checking both.',
          thought_signature: 'sig-text',
          tool_calls: [
            {
              id: 'call_a',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              thought_signature: 'sig-call',
            },
            { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"city":"Tokyo"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_b', content: '09:00' },
        { role: 'tool', tool_call_id: 'call_a', content: '{"temp_c":18}' },
        { role: 'tool', tool_call_id: 'call_a', content: '[1,2]' },
        { role: 'user', content: 'Thanks' },
      ],
    });
    expect((received.body as { contents: unknown }).contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Paris and Tokyo?' }] },
      {
        role: 'model',
        parts: [
          { text: 'Checking both.', thoughtSignature: 'sig-text' },
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } }, thoughtSignature: 'sig-call' },
          { functionCall: { name: 'get_time', args: { city: 'Tokyo' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_time', response: { content: '09:00' } } },
          { functionResponse: { name: 'get_weather', response: { temp_c: 18 } } },
          { functionResponse: { name: 'get_weather', response: { content: '[1,2]' } } },
          { text: 'Thanks' },
        ],
      },
    ]);
  });

  it('rejects a tool result whose call it cannot find (Gemini needs the name)', () => {
    expect(() =>
      convertGoogleRequest({
        request: { model: 'm', messages: [{ role: 'tool', tool_call_id: 'nope', content: 'x' }] },
        model: 'm',
        stream: true,
        baseUrl: 'https://g',
        apiKey,
        providerName: 'google',
      }),
    ).toThrow(InvalidRequestError);
  });

  it('maps the generation parameters, JSON schema output and reasoning effort', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } } };
    const received = await sendStreaming({
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 100,
      max_completion_tokens: 256,
      temperature: 0.5,
      top_p: 0.9,
      stop: 'END',
      seed: 42,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema } },
      reasoning_effort: 'medium',
    });
    expect((received.body as { generationConfig: unknown }).generationConfig).toEqual({
      maxOutputTokens: 256,
      temperature: 0.5,
      topP: 0.9,
      stopSequences: ['END'],
      seed: 42,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      responseMimeType: 'application/json',
      responseJsonSchema: schema,
      thinkingConfig: { thinkingBudget: 8192, includeThoughts: true },
    });
  });

  it('maps json_object, low/high effort and a stop list', () => {
    const config = (request: Partial<ChatCompletionRequest>) =>
      (
        convertGoogleRequest({
          request: { model: 'm', messages: [{ role: 'user', content: 'x' }], ...request },
          model: 'models/gemini-2.5-pro',
          stream: false,
          baseUrl: 'https://generativelanguage.googleapis.com',
          apiKey: undefined,
          providerName: 'google',
        }).body as { generationConfig?: unknown }
      ).generationConfig;
    expect(config({ response_format: { type: 'json_object' }, reasoning_effort: 'low', stop: ['a', 'b'] })).toEqual({
      responseMimeType: 'application/json',
      stopSequences: ['a', 'b'],
      thinkingConfig: { thinkingBudget: 1024, includeThoughts: true },
    });
    expect(config({ reasoning_effort: 'high' })).toEqual({
      thinkingConfig: { thinkingBudget: 24576, includeThoughts: true },
    });
    expect(config({})).toBeUndefined();
  });

  it('uses :generateContent, strips models/ and encodes the model when not streaming', () => {
    const upstream = convertGoogleRequest({
      request: { model: 'm', messages: [{ role: 'user', content: 'x' }] },
      model: 'models/tuned model/1',
      stream: false,
      baseUrl: 'https://generativelanguage.googleapis.com',
      apiKey: undefined,
      providerName: 'google',
    });
    expect(upstream.url).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/tuned%20model%2F1:generateContent',
    );
    expect(upstream.headers).toEqual({});
  });

  it('continues a stream by prefilling a trailing model turn', async () => {
    const received = await sendStreaming(
      { messages: [{ role: 'user', content: 'Count to five.' }] },
      { assistantText: 'One, two, ' },
    );
    expect((received.body as { contents: unknown }).contents).toEqual([
      { role: 'user', parts: [{ text: 'Count to five.' }] },
      { role: 'model', parts: [{ text: 'One, two, ' }] },
    ]);
  });

  it('drops messages that would have no parts', async () => {
    const received = await sendStreaming({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: '' },
        { role: 'assistant', content: null },
        { role: 'user', content: '' },
      ],
    });
    expect((received.body as { contents: unknown }).contents).toEqual([{ role: 'user', parts: [{ text: 'Hi' }] }]);
  });
});
