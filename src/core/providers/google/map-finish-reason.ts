import type { FinishReason } from '../../types/chat-chunk.js';

/** Gemini finish reasons that mean the output (or prompt) was withheld by a content policy. */
const contentFilterReasons = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
]);

/**
 * Gemini `Candidate.finishReason` → OpenAI `finish_reason`. Gemini says `STOP` after function calls too, so
 * the caller tells us whether calls were emitted. Unknown and newer reasons (`OTHER`, `LANGUAGE`,
 * `MALFORMED_FUNCTION_CALL`, …) end the turn as `stop`.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 */
export function mapGoogleFinishReason(reason: string, hasToolCalls: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (contentFilterReasons.has(reason)) return 'content_filter';
  return hasToolCalls ? 'tool_calls' : 'stop';
}
