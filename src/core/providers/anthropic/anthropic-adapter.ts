import type { ProviderAdapter } from '../provider.js';
import { convertAnthropicRequest } from './convert-request.js';
import { convertAnthropicResponse } from './convert-response.js';
import { mapAnthropicError } from './map-error.js';
import { createAnthropicStreamParser } from './parse-stream.js';

/**
 * Anthropic's Messages API (`POST /v1/messages`) behind the OpenAI chat contract. The base URL is the bare origin.
 * @see https://docs.anthropic.com/en/api/messages
 */
export const anthropicAdapter: ProviderAdapter = {
  type: 'anthropic',
  defaultBaseUrl: 'https://api.anthropic.com',
  environment: { apiKey: ['ANTHROPIC_API_KEY'], baseUrl: ['ANTHROPIC_BASE_URL'] },
  convertRequest: convertAnthropicRequest,
  createStreamParser: createAnthropicStreamParser,
  convertResponse: convertAnthropicResponse,
  mapError: mapAnthropicError,
};
