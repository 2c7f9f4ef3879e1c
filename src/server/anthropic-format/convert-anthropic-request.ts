import type { z } from 'zod';
import { InvalidRequestError } from '../../core/errors/request-errors.js';
import type { ChatCompletionRequest, ChatMessage, ToolChoice } from '../../core/types/chat-request.js';
import { type AnthropicRequest, type AnthropicToolChoice, anthropicRequestSchema } from './anthropic-request-schema.js';
import { convertAnthropicMessages } from './convert-anthropic-messages.js';

/**
 * An Anthropic Messages API request body (`POST /v1/messages`) → our unified Chat Completions request, so any
 * routed model can serve a Claude client. Validates first: a bad body throws {@link InvalidRequestError} whose
 * `param` is the dotted path of the field at fault (`max_tokens`, `messages.0.role`, `messages.1.content.2.type`).
 * `top_k` is rejected rather than dropped: the unified format has no top-k sampling, and ignoring it would change
 * the result without telling the caller. Streaming requests always ask for usage, which `message_delta` reports.
 * @see https://docs.anthropic.com/en/api/messages
 */
export function convertAnthropicRequest(body: unknown): ChatCompletionRequest {
  const parsed = anthropicRequestSchema.safeParse(body);
  if (!parsed.success) throw convertZodError(parsed.error, body);
  const request = parsed.data;
  if (request.top_k !== undefined) {
    throw new InvalidRequestError('top_k: not supported by this gateway; remove it or use temperature/top_p', {
      param: 'top_k',
    });
  }
  const system = convertSystem(request.system);
  const converted: ChatCompletionRequest = {
    model: request.model,
    messages: system
      ? [system, ...convertAnthropicMessages(request.messages)]
      : convertAnthropicMessages(request.messages),
    max_tokens: request.max_tokens,
  };
  if (request.tools) {
    converted.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description !== undefined && { description: tool.description }),
        parameters: tool.input_schema,
      },
    }));
  }
  if (request.tool_choice) {
    converted.tool_choice = convertToolChoice(request.tool_choice);
    if ('disable_parallel_tool_use' in request.tool_choice && request.tool_choice.disable_parallel_tool_use) {
      converted.parallel_tool_calls = false;
    }
  }
  if (request.stop_sequences !== undefined) converted.stop = request.stop_sequences;
  if (request.temperature !== undefined) converted.temperature = request.temperature;
  if (request.top_p !== undefined) converted.top_p = request.top_p;
  if (request.metadata?.user_id) converted.user = request.metadata.user_id;
  const reasoningEffort = convertThinking(request.thinking);
  if (reasoningEffort) converted.reasoning_effort = reasoningEffort;
  if (request.stream !== undefined) converted.stream = request.stream;
  if (request.stream) converted.stream_options = { include_usage: true };
  if (request.circuit_breaker) converted.circuit_breaker = request.circuit_breaker;
  return converted;
}

function convertSystem(system: AnthropicRequest['system']): ChatMessage | undefined {
  if (system === undefined) return undefined;
  if (typeof system === 'string') return { role: 'system', content: system };
  if (system.length === 0) return undefined;
  return { role: 'system', content: system.map((block) => ({ type: 'text', text: block.text })) };
}

function convertToolChoice(choice: AnthropicToolChoice): ToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}

/** Anthropic's thinking budget → the coarse `reasoning_effort` other providers understand. */
function convertThinking(thinking: AnthropicRequest['thinking']): ChatCompletionRequest['reasoning_effort'] {
  if (thinking?.type !== 'enabled') return undefined;
  if (thinking.budget_tokens <= 2048) return 'low';
  if (thinking.budget_tokens <= 8192) return 'medium';
  return 'high';
}

/** The first issue, named by its dotted path, in Anthropic's `field: problem` message style. */
function convertZodError(error: z.ZodError, body: unknown): InvalidRequestError {
  const { issue, path } = deepestIssue(error.issues[0], []);
  if (issue.code === 'unrecognized_keys') {
    const param = [...path, issue.keys[0]].join('.');
    return new InvalidRequestError(`${param}: Extra inputs are not permitted`, { param, cause: error });
  }
  const param = path.length > 0 ? path.join('.') : 'body';
  const missing = issue.code === 'invalid_type' && valueAt(body, path) === undefined;
  return new InvalidRequestError(`${param}: ${missing ? 'Field required' : issue.message}`, { param, cause: error });
}

/**
 * A union failure (`content` is neither a string nor a block list) names the union, not the field that broke:
 * follow the branch that got furthest (`messages.0.content.1.type`), whose issue paths are relative to the union.
 */
function deepestIssue(
  issue: z.core.$ZodIssue,
  prefix: PropertyKey[],
): { issue: z.core.$ZodIssue; path: PropertyKey[] } {
  const path = [...prefix, ...issue.path];
  if (issue.code !== 'invalid_union') return { issue, path };
  let best: z.core.$ZodIssue | undefined;
  for (const branch of issue.errors) {
    const candidate = branch[0];
    if (candidate && candidate.path.length > (best?.path.length ?? 0)) best = candidate;
  }
  return best ? deepestIssue(best, path) : { issue, path };
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
