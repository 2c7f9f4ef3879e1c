import type { FinishReason } from '../../types/chat-chunk.js';

/**
 * OpenAI's `finish_reason` → ours. The legacy `function_call` (functions API) is a tool call. Values we do not know
 * (OpenAI-compatible servers invent their own, e.g. vLLM's `abort`) end the answer normally rather than failing it.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 */
export function mapOpenAIFinishReason(reason: string): FinishReason {
  switch (reason) {
    case 'stop':
    case 'length':
    case 'tool_calls':
    case 'content_filter':
      return reason;
    case 'function_call':
      return 'tool_calls';
    default:
      return 'stop';
  }
}
