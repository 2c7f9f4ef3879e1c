import type { ProviderAdapter } from '../provider.js';
import { convertOpenAIRequest } from './convert-request.js';
import { convertOpenAIResponse } from './convert-response.js';
import { mapOpenAIError } from './map-error.js';
import { createOpenAIStreamParser } from './parse-stream.js';

/**
 * OpenAI's Chat Completions API. The base URL includes the version; reasoning models get `max_completion_tokens`.
 * @see https://platform.openai.com/docs/api-reference/chat
 */
export const openaiAdapter: ProviderAdapter = {
  type: 'openai',
  defaultBaseUrl: 'https://api.openai.com/v1',
  environment: { apiKey: ['OPENAI_API_KEY'], baseUrl: ['OPENAI_BASE_URL'] },
  convertRequest: (options) => convertOpenAIRequest(options, { mapReasoningModelParameters: true }),
  createStreamParser: createOpenAIStreamParser,
  convertResponse: convertOpenAIResponse,
  mapError: mapOpenAIError,
};
