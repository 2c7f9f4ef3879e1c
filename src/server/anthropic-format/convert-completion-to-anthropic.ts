import { UpstreamMalformedError } from '../../core/errors/upstream-errors.js';
import type { ChatCompletion, CompletionToolCall } from '../../core/types/chat-chunk.js';
import type { AnthropicContentBlock, AnthropicMessage } from './anthropic-message-types.js';
import { mapStopReason } from './map-stop-reason.js';

/**
 * A non-streamed `ChatCompletion` → the Anthropic message object a `POST /v1/messages` caller expects: content in
 * Anthropic's order (thinking, text, tool uses), tool arguments parsed back into `input` objects. `id` is the
 * completion id unless the server passes its own `msg_…` id.
 * @see https://docs.anthropic.com/en/api/messages
 */
export function convertCompletionToAnthropic(
  completion: ChatCompletion,
  options: { messageId?: string } = {},
): AnthropicMessage {
  const choice = completion.choices[0];
  const message = choice?.message;
  const content: AnthropicContentBlock[] = [];
  if (message?.reasoning_content || message?.reasoning_signature) {
    content.push({
      type: 'thinking',
      thinking: message.reasoning_content ?? '',
      signature: message.reasoning_signature ?? '',
    });
  }
  const text = message?.content || message?.refusal;
  if (text) content.push({ type: 'text', text });
  for (const call of message?.tool_calls ?? []) {
    content.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseToolInput(call, completion.circuit_breaker?.provider),
    });
  }
  return {
    id: options.messageId ?? completion.id,
    type: 'message',
    role: 'assistant',
    model: completion.model,
    content,
    stop_reason: choice ? mapStopReason(choice.finish_reason) : 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: completion.usage.prompt_tokens, output_tokens: completion.usage.completion_tokens },
  };
}

/** Anthropic's `input` must be an object; arguments that are not one are an upstream fault, not something to guess at. */
function parseToolInput(call: CompletionToolCall, provider = 'upstream'): Record<string, unknown> {
  // Models calling a tool without parameters may send no arguments at all.
  if (call.function.arguments.trim() === '') return {};
  let input: unknown;
  try {
    input = JSON.parse(call.function.arguments);
  } catch (cause) {
    throw new UpstreamMalformedError(provider, `tool call ${call.id} arguments are not valid JSON`, cause);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new UpstreamMalformedError(provider, `tool call ${call.id} arguments are not a JSON object`);
  }
  return input as Record<string, unknown>;
}
