import type { FinishReason } from '../../types/chat-chunk.js';

/**
 * Anthropic `stop_reason` → OpenAI `finish_reason`. `pause_turn` (a server tool paused a long turn) ends this
 * response normally, so it is `stop`; an unknown or missing reason is also `stop` rather than an error, because the
 * text already delivered is complete as far as the caller can tell.
 * @see https://docs.anthropic.com/en/api/handling-stop-reasons
 */
export function mapAnthropicStopReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn and reasons added after this was written.
      return 'stop';
  }
}
