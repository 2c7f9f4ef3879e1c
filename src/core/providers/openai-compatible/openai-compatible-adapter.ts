import { ConfigError } from '../../errors/request-errors.js';
import { convertOpenAIRequest } from '../openai/convert-request.js';
import { convertOpenAIResponse } from '../openai/convert-response.js';
import { mapOpenAIError } from '../openai/map-error.js';
import { createOpenAIStreamParser } from '../openai/parse-stream.js';
import type { ProviderAdapter } from '../provider.js';

/**
 * Any server speaking OpenAI's Chat Completions protocol (vLLM, Ollama, llama.cpp, DeepSeek, OpenRouter, Together…):
 * the OpenAI adapter's pieces, with a base URL that must be configured, an optional key, and model names passed
 * through untouched (no reasoning-model parameter rewrite: the same names may mean other models there).
 * @see https://platform.openai.com/docs/api-reference/chat
 */
export const openaiCompatibleAdapter: ProviderAdapter = {
  type: 'openai-compatible',
  // No default: `createHttpProvider` falls back to this, and the request conversion then explains what is missing.
  defaultBaseUrl: '',
  convertRequest(options) {
    if (!options.baseUrl) {
      throw new ConfigError(
        `Provider '${options.providerName}' (type openai-compatible) needs a baseUrl, e.g. http://localhost:11434/v1.`,
        { param: 'baseUrl' },
      );
    }
    return convertOpenAIRequest(options, { mapReasoningModelParameters: false });
  },
  createStreamParser: createOpenAIStreamParser,
  convertResponse: convertOpenAIResponse,
  mapError: mapOpenAIError,
};
