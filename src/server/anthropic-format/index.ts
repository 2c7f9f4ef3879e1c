/**
 * The Anthropic Messages API as an inbound format: request → unified request, chunks → Anthropic stream events,
 * completion → Anthropic message, error → Anthropic error envelope. Pure and web-standard; the server wires them.
 */
export type { AnthropicErrorBody, AnthropicErrorType } from './anthropic-error-body.js';
export { mapStatusToAnthropicErrorType, toAnthropicErrorBody } from './anthropic-error-body.js';
export type * from './anthropic-message-types.js';
export type { AnthropicRequest } from './anthropic-request-schema.js';
export { anthropicRequestSchema } from './anthropic-request-schema.js';
export { convertAnthropicRequest } from './convert-anthropic-request.js';
export { convertCompletionToAnthropic } from './convert-completion-to-anthropic.js';
export type {
  AnthropicErrorDetail,
  AnthropicEventEncoder,
  AnthropicEventEncoderOptions,
  AnthropicStreamEvent,
  AnthropicStreamEventType,
} from './create-anthropic-event-encoder.js';
export { createAnthropicEventEncoder } from './create-anthropic-event-encoder.js';
export { mapStopReason } from './map-stop-reason.js';
