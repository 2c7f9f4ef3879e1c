import { UnsupportedParameterError } from '../../errors/request-errors.js';
import type { ChatCompletionRequest, ToolChoice, ToolDefinition } from '../../types/chat-request.js';
import type { ConvertRequestOptions, UpstreamRequest } from '../provider.js';
import type {
  AnthropicMessageParam,
  AnthropicMessagesRequest,
  AnthropicToolChoice,
  AnthropicToolParam,
} from './anthropic-api-types.js';
import { convertMessages } from './convert-messages.js';

/** The API version header value the official SDK sends. */
export const ANTHROPIC_VERSION = '2023-06-01';

/** `max_tokens` is required by Anthropic; OpenAI callers usually leave it out. */
export const DEFAULT_MAX_TOKENS = 4096;

/** `reasoning_effort` → extended-thinking budget. 1024 is the API's minimum budget. */
export const THINKING_BUDGETS: Readonly<Record<NonNullable<ChatCompletionRequest['reasoning_effort']>, number>> = {
  minimal: 1024,
  low: 1024,
  medium: 4096,
  high: 16384,
};

/**
 * Chat Completions request → `POST {baseUrl}/v1/messages`. Parameters Anthropic cannot honour and that would change
 * the result (`response_format`, `temperature` above 1, penalties) are rejected with a typed error naming the
 * parameter; parameters without effect on the result (`seed`, `metadata`) are dropped.
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/api/openai-sdk (Anthropic's own notes on OpenAI parameters)
 */
export function convertAnthropicRequest(options: ConvertRequestOptions): UpstreamRequest {
  const { request, providerName: provider } = options;
  rejectUnsupportedParameters(request, provider);
  const { system, messages } = convertMessages(request.messages, provider);
  const continues = appendContinuation(messages, options.continuation?.assistantText);

  const body: AnthropicMessagesRequest = {
    model: options.model,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? DEFAULT_MAX_TOKENS,
    messages,
  };
  if (system !== undefined) body.system = system;
  if (options.stream) body.stream = true;
  if (request.stop != null) body.stop_sequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (request.temperature != null) body.temperature = request.temperature;
  if (request.top_p != null) body.top_p = request.top_p;
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map(convertTool);
    const toolChoice = convertToolChoice(request.tool_choice, request.parallel_tool_calls);
    if (toolChoice) body.tool_choice = toolChoice;
  }
  // A continuation resumes an answer whose thinking already happened elsewhere; with thinking enabled the API
  // would also demand that the prefilled assistant turn start with a signed thinking block, which we do not have.
  if (request.reasoning_effort !== undefined && !continues) {
    const budget = THINKING_BUDGETS[request.reasoning_effort];
    body.thinking = { type: 'enabled', budget_tokens: budget };
    // The budget is part of max_tokens and must be below it: keep the caller's answer length on top of it.
    if (body.max_tokens <= budget) body.max_tokens += budget;
  }

  const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION };
  if (options.apiKey !== undefined) headers['x-api-key'] = options.apiKey;
  return { url: `${options.baseUrl}/v1/messages`, headers, body };
}

function rejectUnsupportedParameters(request: ChatCompletionRequest, provider: string): void {
  const reject = (param: string, message: string): never => {
    throw new UnsupportedParameterError({ param, provider, message });
  };
  if (request.temperature != null && request.temperature > 1) {
    reject('temperature', `Anthropic accepts temperature between 0 and 1; got ${request.temperature}.`);
  }
  const format = request.response_format?.type;
  if (format === 'json_schema' || format === 'json_object') {
    reject(
      'response_format',
      `Anthropic's Messages API has no response_format '${format}'; use a tool with an input schema instead.`,
    );
  }
  if (request.presence_penalty) reject('presence_penalty', 'Anthropic does not support presence_penalty.');
  if (request.frequency_penalty) reject('frequency_penalty', 'Anthropic does not support frequency_penalty.');
}

/**
 * Mid-stream failover: the text already delivered becomes a final assistant turn that Anthropic continues.
 * The API rejects a final assistant turn ending in whitespace, so the end is trimmed. Returns whether it appended.
 */
function appendContinuation(messages: AnthropicMessageParam[], assistantText: string | undefined): boolean {
  const text = assistantText?.trimEnd();
  if (!text) return false;
  const last = messages[messages.length - 1];
  if (last && last.role === 'assistant') last.content.push({ type: 'text', text });
  else messages.push({ role: 'assistant', content: [{ type: 'text', text }] });
  return true;
}

function convertTool(tool: ToolDefinition): AnthropicToolParam {
  const converted: AnthropicToolParam = {
    name: tool.function.name,
    input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
  };
  if (tool.function.description !== undefined) converted.description = tool.function.description;
  return converted;
}

function convertToolChoice(
  toolChoice: ToolChoice | undefined,
  parallelToolCalls: boolean | undefined,
): AnthropicToolChoice | undefined {
  const disableParallel = parallelToolCalls === false ? { disable_parallel_tool_use: true } : {};
  if (toolChoice === undefined) return parallelToolCalls === false ? { type: 'auto', ...disableParallel } : undefined;
  if (toolChoice === 'none') return { type: 'none' };
  if (toolChoice === 'auto') return { type: 'auto', ...disableParallel };
  if (toolChoice === 'required') return { type: 'any', ...disableParallel };
  return { type: 'tool', name: toolChoice.function.name, ...disableParallel };
}
