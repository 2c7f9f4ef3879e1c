import type { Usage } from '../../types/chat-chunk.js';
import type { GoogleUsageMetadata } from './google-types.js';

/**
 * Gemini `usageMetadata` → OpenAI usage. Thinking tokens are billed as output, so they count as completion
 * tokens. In a stream the figures are running totals: each event's metadata replaces the previous one.
 * @see https://ai.google.dev/api/generate-content#UsageMetadata
 */
export function convertGoogleUsage(metadata: GoogleUsageMetadata): Usage {
  const promptTokens = metadata.promptTokenCount ?? 0;
  const completionTokens = (metadata.candidatesTokenCount ?? 0) + (metadata.thoughtsTokenCount ?? 0);
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: metadata.totalTokenCount ?? promptTokens + completionTokens,
  };
}
