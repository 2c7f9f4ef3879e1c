import { UpstreamMalformedError } from '../../errors/upstream-errors.js';
import type { CompletionMessage, CompletionToolCall, Usage } from '../../types/chat-chunk.js';
import type { ProviderCompletion } from '../provider.js';
import { mapOpenAIFinishReason } from './map-finish-reason.js';
import type { OpenAIUsage } from './openai-wire-types.js';

interface OpenAIResponseToolCall {
  id?: unknown;
  function?: { name?: unknown; arguments?: unknown } | null;
}

interface OpenAIResponseMessage {
  content?: unknown;
  refusal?: unknown;
  reasoning_content?: unknown;
  reasoning?: unknown;
  tool_calls?: OpenAIResponseToolCall[] | null;
}

interface OpenAICompletion {
  id?: unknown;
  model?: unknown;
  choices?: { message?: OpenAIResponseMessage | null; finish_reason?: unknown }[];
  usage?: OpenAIUsage | null;
}

/**
 * A `chat.completion` body → our completion. Tool calls are kept; reasoning text from `reasoning_content` (DeepSeek,
 * vLLM) or `reasoning` (OpenRouter, Ollama) becomes `message.reasoning_content`. A body without a first choice and
 * its message is {@link UpstreamMalformedError}.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
export function convertOpenAIResponse(body: unknown, provider: string): Omit<ProviderCompletion, 'headers'> {
  if (typeof body !== 'object' || body === null) {
    throw new UpstreamMalformedError(provider, 'the completion is not a JSON object');
  }
  const completion = body as OpenAICompletion;
  const choice = Array.isArray(completion.choices) ? completion.choices[0] : undefined;
  const source = choice?.message;
  if (typeof source !== 'object' || source === null) {
    throw new UpstreamMalformedError(provider, 'the completion has no choices[0].message');
  }
  const message: CompletionMessage = {
    role: 'assistant',
    content: typeof source.content === 'string' ? source.content : null,
    refusal: typeof source.refusal === 'string' ? source.refusal : null,
  };
  const reasoning = stringOrUndefined(source.reasoning_content) ?? stringOrUndefined(source.reasoning);
  if (reasoning) message.reasoning_content = reasoning;
  if (Array.isArray(source.tool_calls) && source.tool_calls.length > 0) {
    message.tool_calls = source.tool_calls.map((toolCall) => convertToolCall(toolCall, provider));
  }
  return {
    message,
    finishReason: typeof choice?.finish_reason === 'string' ? mapOpenAIFinishReason(choice.finish_reason) : 'stop',
    usage: convertUsage(completion.usage),
    upstreamId: stringOrUndefined(completion.id),
    upstreamModel: stringOrUndefined(completion.model),
  };
}

function convertToolCall(toolCall: OpenAIResponseToolCall, provider: string): CompletionToolCall {
  const name = toolCall?.function?.name;
  if (typeof name !== 'string' || name.length === 0) {
    throw new UpstreamMalformedError(provider, 'a tool call in the completion has no function name');
  }
  const args = toolCall.function?.arguments;
  return {
    id: stringOrUndefined(toolCall.id) || `call_${crypto.randomUUID()}`,
    type: 'function',
    // Some OpenAI-compatible servers (Ollama) send the arguments as an object rather than a JSON string.
    function: { name, arguments: typeof args === 'string' ? args : args == null ? '{}' : JSON.stringify(args) },
  };
}

function convertUsage(usage: OpenAIUsage | null | undefined): Usage {
  const promptTokens = usage?.prompt_tokens ?? 0;
  const completionTokens = usage?.completion_tokens ?? 0;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: usage?.total_tokens ?? promptTokens + completionTokens,
  };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
