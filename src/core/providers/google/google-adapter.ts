import type { ProviderAdapter } from '../provider.js';
import { convertGoogleRequest } from './convert-request.js';
import { convertGoogleResponse } from './convert-response.js';
import { mapGoogleError } from './map-error.js';
import { createGoogleStreamParser } from './parse-stream.js';

/**
 * Google Gemini over the Generative Language API (v1beta), key in `x-goog-api-key`. The base URL is the bare
 * origin; the adapter adds `/v1beta/models/{model}:…`.
 * @see https://ai.google.dev/api/generate-content
 */
export const googleAdapter: ProviderAdapter = {
  type: 'google',
  defaultBaseUrl: 'https://generativelanguage.googleapis.com',
  environment: { apiKey: ['GOOGLE_API_KEY', 'GEMINI_API_KEY'], baseUrl: ['GOOGLE_BASE_URL'] },
  convertRequest: convertGoogleRequest,
  createStreamParser: createGoogleStreamParser,
  convertResponse: convertGoogleResponse,
  mapError: mapGoogleError,
};
