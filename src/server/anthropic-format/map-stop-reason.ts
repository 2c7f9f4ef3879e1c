import type { FinishReason } from '../../core/types/chat-chunk.js';
import { assertNever } from '../../core/types/stream-part.js';
import type { AnthropicStopReason } from './anthropic-message-types.js';

/**
 * Our (OpenAI) `finish_reason` → Anthropic `stop_reason`. `stop` becomes `end_turn` even when a stop sequence
 * ended the turn: the unified format does not say which sequence matched, so `stop_sequence` cannot be honest.
 * @see https://docs.anthropic.com/en/api/handling-stop-reasons
 */
export function mapStopReason(finishReason: FinishReason): AnthropicStopReason {
  switch (finishReason) {
    case 'stop':
      return 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return assertNever(finishReason);
  }
}
