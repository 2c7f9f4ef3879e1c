import type { ChatCompletionRequest, ToolChoice, ToolDefinition } from '../../types/chat-request.js';
import type { ConvertRequestOptions, UpstreamRequest } from '../provider.js';
import { convertGoogleMessages } from './convert-messages.js';

/** Thinking budgets (tokens) for OpenAI's `reasoning_effort`; 512 is the smallest every 2.5 model accepts. */
const thinkingBudgets = { minimal: 512, low: 1024, medium: 8192, high: 24576 } as const;

/**
 * Our (OpenAI-shaped) request → a Gemini `generateContent` / `streamGenerateContent?alt=sse` call. `alt=sse`
 * matters: without it the stream is one incrementally sent JSON array, not SSE.
 * Not mapped, because Gemini has no equivalent: `parallel_tool_calls`, `user`, `metadata`, `logit_bias`.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 */
export function convertGoogleRequest(options: ConvertRequestOptions): UpstreamRequest {
  const { request } = options;
  const model = encodeURIComponent(options.model.replace(/^models\//, ''));
  const method = options.stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  const headers: Record<string, string> = {};
  if (options.apiKey) headers['x-goog-api-key'] = options.apiKey;

  const body: Record<string, unknown> = {
    ...convertGoogleMessages(request.messages, options.continuation?.assistantText),
  };
  if (request.tools && request.tools.length > 0) {
    body.tools = [{ functionDeclarations: request.tools.map(convertTool) }];
  }
  if (request.tool_choice !== undefined) {
    body.toolConfig = { functionCallingConfig: convertToolChoice(request.tool_choice) };
  }
  const generationConfig = convertGenerationConfig(request);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;

  return { url: `${options.baseUrl}/v1beta/models/${model}:${method}`, headers, body };
}

function convertTool(tool: ToolDefinition): Record<string, unknown> {
  const declaration: Record<string, unknown> = { name: tool.function.name };
  if (tool.function.description) declaration.description = tool.function.description;
  const parameters = tool.function.parameters;
  // Gemini rejects an OBJECT schema with no properties; a function without parameters simply omits them.
  if (parameters && !isEmptyObjectSchema(parameters)) declaration.parameters = parameters;
  return declaration;
}

function isEmptyObjectSchema(schema: Record<string, unknown>): boolean {
  const properties = schema.properties;
  return (
    schema.type === 'object' &&
    (properties === undefined ||
      (typeof properties === 'object' && properties !== null && Object.keys(properties).length === 0))
  );
}

/** @see https://ai.google.dev/api/caching#FunctionCallingConfig */
function convertToolChoice(choice: ToolChoice): Record<string, unknown> {
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'required') return { mode: 'ANY' };
  if (choice === 'none') return { mode: 'NONE' };
  return { mode: 'ANY', allowedFunctionNames: [choice.function.name] };
}

/** @see https://ai.google.dev/api/generate-content#generationconfig */
function convertGenerationConfig(request: ChatCompletionRequest): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  const maxOutputTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxOutputTokens != null) config.maxOutputTokens = maxOutputTokens;
  if (request.temperature != null) config.temperature = request.temperature;
  if (request.top_p != null) config.topP = request.top_p;
  if (request.stop != null) config.stopSequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (request.seed != null) config.seed = request.seed;
  if (request.presence_penalty != null) config.presencePenalty = request.presence_penalty;
  if (request.frequency_penalty != null) config.frequencyPenalty = request.frequency_penalty;
  const format = request.response_format;
  if (format?.type === 'json_object') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema') {
    config.responseMimeType = 'application/json';
    if (format.json_schema.schema) config.responseJsonSchema = format.json_schema.schema;
  }
  if (request.reasoning_effort) {
    config.thinkingConfig = { thinkingBudget: thinkingBudgets[request.reasoning_effort], includeThoughts: true };
  }
  return config;
}
