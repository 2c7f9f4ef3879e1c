import type { ChatCompletionRequest, ChatMessage, ToolCall } from '../../types/chat-request.js';
import type { ConvertRequestOptions, UpstreamRequest } from '../provider.js';
import { CONTINUATION_INSTRUCTION } from '../shared/continuation.js';

export interface OpenAIRequestSettings {
  /**
   * Send `max_tokens` as `max_completion_tokens` for OpenAI's reasoning models (o1/o3/o4/gpt-5), which reject
   * `max_tokens`. Off for OpenAI-compatible servers, where the same model names may mean something else.
   */
  mapReasoningModelParameters: boolean;
}

/**
 * Our request (OpenAI's own format plus extensions) → the upstream `POST {baseUrl}/chat/completions`. The body is
 * the request itself with the upstream model, `stream`, and when streaming `stream_options.include_usage` (so usage
 * is always known); our extension fields are removed because OpenAI rejects unknown fields. No `authorization`
 * header without a key: local servers (Ollama, llama.cpp) need none.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
export function convertOpenAIRequest(
  options: ConvertRequestOptions,
  settings: OpenAIRequestSettings = { mapReasoningModelParameters: true },
): UpstreamRequest {
  const { circuit_breaker: _routing, messages, ...rest } = options.request;
  const body: Record<string, unknown> = {
    ...rest,
    model: options.model,
    messages: convertMessages(messages, options.continuation?.assistantText),
    stream: options.stream,
  };
  if (options.stream) {
    body.stream_options = { ...options.request.stream_options, include_usage: true };
  } else {
    // OpenAI answers 400 to `stream_options` without `stream: true`.
    delete body.stream_options;
  }
  if (settings.mapReasoningModelParameters && isOpenAIReasoningModel(options.model)) {
    moveMaxTokens(body, options.request);
  }
  const headers: Record<string, string> = {};
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  return { url: `${options.baseUrl}/chat/completions`, headers, body };
}

/** OpenAI's reasoning models: the o-series and gpt-5 family (`o1`, `o3-mini`, `o4-mini`, `gpt-5-nano`, …). */
export function isOpenAIReasoningModel(model: string): boolean {
  return /^(o1|o3|o4|gpt-5)(\b|[-_.])/.test(model);
}

function moveMaxTokens(body: Record<string, unknown>, request: ChatCompletionRequest): void {
  if (request.max_tokens == null) return;
  delete body.max_tokens;
  body.max_completion_tokens = request.max_completion_tokens ?? request.max_tokens;
}

function convertMessages(messages: ChatMessage[], continuationText: string | undefined): unknown[] {
  const converted: unknown[] = messages.map(convertMessage);
  // Mid-stream failover: the partial answer becomes an assistant turn and an instruction asks to go on from it.
  if (continuationText) {
    converted.push({ role: 'assistant', content: continuationText });
    converted.push({ role: 'user', content: CONTINUATION_INSTRUCTION });
  }
  return converted;
}

function convertMessage(message: ChatMessage): unknown {
  if (message.role !== 'assistant') return message;
  const {
    reasoning_content: _reasoning,
    reasoning_signature: _signature,
    thought_signature: _thought,
    tool_calls,
    ...rest
  } = message;
  return tool_calls ? { ...rest, tool_calls: tool_calls.map(convertToolCall) } : rest;
}

function convertToolCall(toolCall: ToolCall): unknown {
  const { thought_signature: _thought, ...rest } = toolCall;
  return rest;
}
