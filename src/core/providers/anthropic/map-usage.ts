import type { AnthropicUsage } from './anthropic-api-types.js';

/**
 * Prompt tokens as OpenAI counts them: Anthropic reports cache writes and cache reads apart from `input_tokens`,
 * but all three were read from the prompt.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching#tracking-cache-performance
 */
export function countAnthropicPromptTokens(usage: AnthropicUsage): number {
  return (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
}
