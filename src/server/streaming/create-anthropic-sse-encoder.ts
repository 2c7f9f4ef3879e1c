import { encodeSseEvent } from '../../core/sse/encode-sse.js';
import { type AnthropicStreamEvent, createAnthropicEventEncoder } from '../anthropic-format/index.js';
import { toAnthropicError } from '../errors/to-anthropic-error.js';
import type { SseStreamEncoder } from './stream-to-sse.js';

/**
 * Anthropic's streaming framing (`event: <type>` + `data: <json>`) around the anthropic-format event encoder, which
 * keeps Anthropic's sequence (`message_start`, `ping`, content blocks, `message_delta`, `message_stop`); a failure
 * after the start is Anthropic's `event: error`.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export function createAnthropicSseEncoder(options: {
  messageId: string;
  model: string;
  secrets: readonly string[];
}): SseStreamEncoder {
  const encoder = createAnthropicEventEncoder({ messageId: options.messageId, model: options.model });
  return {
    encodeChunk: (chunk) => frame(encoder.encodeChunk(chunk)),
    finish: () => frame(encoder.finish()),
    error: (error) => frame(encoder.error(toAnthropicError(error, options.secrets).body.error)),
  };
}

function frame(events: AnthropicStreamEvent[]): string {
  let text = '';
  for (const event of events) text += encodeSseEvent(event);
  return text;
}
