import { UpstreamMalformedError } from '../../errors/upstream-errors.js';
import type { CompletionMessage, CompletionToolCall } from '../../types/chat-chunk.js';
import type { ProviderCompletion } from '../provider.js';
import type { AnthropicMessagesResponse } from './anthropic-api-types.js';
import { mapAnthropicStopReason } from './map-finish-reason.js';
import { countAnthropicPromptTokens } from './map-usage.js';

/**
 * A non-streamed Messages response → our completion: text blocks joined into `content` (null when there is none,
 * as OpenAI does for tool-only answers), `tool_use` blocks into `tool_calls` with the input re-serialized as the
 * JSON `arguments` string, thinking into `reasoning_content` + `reasoning_signature` (to send back next turn).
 * @see https://docs.anthropic.com/en/api/messages
 */
export function convertAnthropicResponse(body: unknown, provider: string): Omit<ProviderCompletion, 'headers'> {
  if (body === null || typeof body !== 'object' || !Array.isArray((body as AnthropicMessagesResponse).content)) {
    throw new UpstreamMalformedError(provider, 'the response is not an Anthropic message (no content array)');
  }
  const response = body as AnthropicMessagesResponse;
  let text: string | undefined;
  let reasoning: string | undefined;
  let signature: string | undefined;
  const toolCalls: CompletionToolCall[] = [];
  for (const block of response.content ?? []) {
    switch (block.type) {
      case 'text':
        text = (text ?? '') + (block.text ?? '');
        break;
      case 'tool_use':
        toolCalls.push({
          id: block.id ?? '',
          type: 'function',
          function: { name: block.name ?? '', arguments: JSON.stringify(block.input ?? {}) },
        });
        break;
      case 'thinking':
        reasoning = (reasoning ?? '') + (block.thinking ?? '');
        if (block.signature) signature = block.signature;
        break;
      default:
        break; // redacted_thinking, server-tool blocks and newer block types have no place in the chat format.
    }
  }

  const message: CompletionMessage = { role: 'assistant', content: text ?? null, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning !== undefined) message.reasoning_content = reasoning;
  if (signature !== undefined) message.reasoning_signature = signature;

  const promptTokens = response.usage ? countAnthropicPromptTokens(response.usage) : 0;
  const completionTokens = response.usage?.output_tokens ?? 0;
  return {
    message,
    finishReason: mapAnthropicStopReason(response.stop_reason),
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
    upstreamId: response.id,
    upstreamModel: response.model,
  };
}
