import { describe, expect, it } from 'vitest';
import { convertOpenAIResponse } from './convert-response.js';
import { mapOpenAIError } from './map-error.js';
import { openaiAdapter } from './openai-adapter.js';
import { createOpenAIStreamParser } from './parse-stream.js';

describe('openaiAdapter', () => {
  it('assembles the OpenAI pieces with the public API defaults', () => {
    expect(openaiAdapter.type).toBe('openai');
    expect(openaiAdapter.defaultBaseUrl).toBe('https://api.openai.com/v1');
    expect(openaiAdapter.environment).toEqual({ apiKey: ['OPENAI_API_KEY'], baseUrl: ['OPENAI_BASE_URL'] });
    expect(openaiAdapter.createStreamParser).toBe(createOpenAIStreamParser);
    expect(openaiAdapter.convertResponse).toBe(convertOpenAIResponse);
    expect(openaiAdapter.mapError).toBe(mapOpenAIError);
  });

  it('builds the upstream URL from the default base URL', () => {
    const upstream = openaiAdapter.convertRequest({
      request: { model: 'x', messages: [{ role: 'user', content: 'Hi' }] },
      model: 'gpt-4o',
      stream: true,
      baseUrl: openaiAdapter.defaultBaseUrl,
      apiKey: 'sk-test-123456',
      providerName: 'openai',
    });
    expect(upstream.url).toBe('https://api.openai.com/v1/chat/completions');
    expect(upstream.headers).toEqual({ authorization: 'Bearer sk-test-123456' });
  });
});
