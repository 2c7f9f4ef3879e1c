import { countWordsDeep, hashText } from '../generate-text.js';
import type { ResponsePlan } from '../plan-response.js';
import { randomBase62 } from '../random-id.js';
import type { HttpReply, ParsedRequest, ToolDefinition } from '../simulator-types.js';
import {
  asRecord,
  bearerToken,
  createFrameBuilder,
  type ErrorDetails,
  findSeedText,
  headerValue,
  jsonReply,
  type ProtocolHandler,
  type RenderContext,
  type StreamRendering,
  standardErrorFor,
} from './protocol.js';

/**
 * Anthropic Messages: `POST /v1/messages` with `x-api-key` (or `Authorization: Bearer`, as SDK 1.x sends it) and
 * `anthropic-version`, named SSE events
 * (`message_start` … `message_stop`), and the `{"type":"error","error":{type,message},"request_id"}` envelope.
 * @see https://docs.claude.com/en/docs/build-with-claude/streaming
 * @see https://docs.claude.com/en/api/errors
 */
export const anthropicProtocol: ProtocolHandler = {
  protocol: 'anthropic',
  overloadedStatus: 529,
  inStreamErrorStatus: 529,
  authenticate(headers, _url, apiKey) {
    // The official SDK (1.x) sends the API key as `Authorization: Bearer`; older clients and curl use `x-api-key`.
    const key = headerValue(headers['x-api-key']) || bearerToken(headers);
    if (key === '') return renderAnthropicError(401, { message: 'x-api-key header is required' });
    if (apiKey !== undefined && key !== apiKey) return renderAnthropicError(401, { message: 'invalid x-api-key' });
    if (!headerValue(headers['anthropic-version'])) {
      return renderAnthropicError(400, { message: 'anthropic-version: header is required' });
    }
    return undefined;
  },
  parseRequest: parseAnthropicRequest,
  renderError: renderAnthropicError,
  renderStream: renderAnthropicStream,
  renderCompletion: renderAnthropicCompletion,
};

function blocksText(content: unknown, type = 'text', field = 'text'): string {
  if (typeof content === 'string') return type === 'text' ? content : '';
  if (!Array.isArray(content)) return '';
  return content
    .map((block) => (asRecord(block)?.type === type ? String(asRecord(block)?.[field] ?? '') : ''))
    .join('');
}

function invalid(message: string): HttpReply {
  return renderAnthropicError(400, { message });
}

function parseAnthropicRequest(body: unknown): ParsedRequest | HttpReply {
  const request = asRecord(body);
  if (!request) return invalid('There was an error parsing the body of your request.');
  if (typeof request.model !== 'string' || request.model === '') return invalid('model: Field required');
  if (request.max_tokens === undefined) return invalid('max_tokens: Field required');
  if (typeof request.max_tokens !== 'number' || request.max_tokens < 1) {
    return invalid('max_tokens: Input should be greater than or equal to 1');
  }
  if (request.messages === undefined) return invalid('messages: Field required');
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    return invalid('messages: at least one message is required');
  }
  const turns = request.messages.map((message) => asRecord(message) ?? {});
  const last = turns[turns.length - 1]!;
  // A final assistant turn is a prefill: the answer continues it (how a router continues a cut stream).
  const isContinuation = last.role === 'assistant';
  const seedText = findSeedText(turns, isContinuation ? turns.length - 1 : turns.length, (turn) =>
    turn.role === 'user' ? blocksText(turn.content) || undefined : undefined,
  );
  const tools: ToolDefinition[] = (Array.isArray(request.tools) ? request.tools : []).flatMap((tool) => {
    const record = asRecord(tool);
    return record && typeof record.name === 'string' ? [{ name: record.name, schema: record.input_schema ?? {} }] : [];
  });
  const toolChoice = asRecord(request.tool_choice);
  const endsWithToolResult =
    Array.isArray(last.content) && last.content.some((block) => asRecord(block)?.type === 'tool_result');
  return {
    rawModel: request.model,
    stream: request.stream === true,
    maxTokens: request.max_tokens,
    promptTokens: countWordsDeep(request.messages) + countWordsDeep(request.system ?? ''),
    seedText,
    partialAnswer: isContinuation ? blocksText(last.content) : undefined,
    tools,
    toolsEnabled: toolChoice?.type !== 'none',
    forcedTool: toolChoice?.type === 'tool' ? (toolChoice.name as string) : undefined,
    endsWithUserQuestion: last.role === 'user' && !endsWithToolResult,
    includeUsage: false,
  };
}

const ERROR_TYPES: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  402: { type: 'billing_error', message: 'Your credit balance is too low to access the Anthropic API.' },
  403: { type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  404: { type: 'not_found_error', message: 'Not found' },
  409: { type: 'conflict_error', message: 'Conflict' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: {
    type: 'rate_limit_error',
    message:
      'Number of request tokens has exceeded your per-minute rate limit (https://docs.anthropic.com/en/api/rate-limits); see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later. You may also contact sales at https://www.anthropic.com/contact-sales to discuss your options for a rate limit increase.',
  },
  500: { type: 'api_error', message: 'Internal server error' },
  504: { type: 'timeout_error', message: 'Request timeout' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

/** Anthropic's error envelope for a status, with `request-id`; 429 carries `retry-after` and rate-limit headers. */
export function renderAnthropicError(status: number, details: ErrorDetails = {}): HttpReply {
  const requestId = `req_011C${randomBase62(20)}`;
  const known = standardErrorFor(ERROR_TYPES, status);
  const message = details.message ?? (status === 404 && details.model ? `model: ${details.model}` : known.message);
  const headers: Record<string, string> = { 'request-id': requestId };
  if (status === 429) {
    const seconds = details.retryAfterSeconds ?? 1;
    const reset = new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    Object.assign(headers, {
      'retry-after': String(Math.ceil(seconds)),
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '0',
      'anthropic-ratelimit-requests-reset': reset,
    });
  }
  return jsonReply(status, { type: 'error', error: { type: known.type, message }, request_id: requestId }, headers);
}

const IN_STREAM_ERROR = `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })}\n\n`;

const STOP_REASONS: Record<ResponsePlan['finish'], string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
};

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** Anthropic's usage object (`message_start` opens with one output token; the completion carries them all). */
function usageOf(inputTokens: number, outputTokens: number) {
  return {
    input_tokens: inputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    output_tokens: outputTokens,
  };
}

/** A stable, signature-looking value for the simulated thinking block. */
function thinkingSignature(request: ParsedRequest): string {
  return Buffer.from(`circuit-breaker-simulator:${hashText(request.seedText).toString(16)}`).toString('base64');
}

function renderAnthropicStream(plan: ResponsePlan, request: ParsedRequest, context: RenderContext): StreamRendering {
  const frames = createFrameBuilder();
  frames.structural(
    event('message_start', {
      type: 'message_start',
      message: {
        id: context.createId('msg_01'),
        type: 'message',
        role: 'assistant',
        model: context.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: usageOf(plan.promptTokens, 1),
      },
    }),
  );
  let index = 0;
  const startBlock = (block: unknown) => {
    frames.structural(event('content_block_start', { type: 'content_block_start', index, content_block: block }));
    if (index === 0) frames.structural(event('ping', { type: 'ping' }));
  };
  const stopBlock = () => {
    frames.structural(event('content_block_stop', { type: 'content_block_stop', index }));
    index++;
  };
  const deltaPrefix = () => `event: content_block_delta\ndata: {"type":"content_block_delta","index":${index},"delta":`;
  if (plan.reasoning.length > 0) {
    startBlock({ type: 'thinking', thinking: '', signature: '' });
    const encode = context.createTokenEncoder(`${deltaPrefix()}{"type":"thinking_delta","thinking":`, '}}\n\n');
    for (const token of plan.reasoning) frames.token(encode(token));
    frames.structural(
      `${deltaPrefix()}${JSON.stringify({ type: 'signature_delta', signature: thinkingSignature(request) })}}\n\n`,
    );
    stopBlock();
  }
  if (plan.toolCalls.length === 0) {
    startBlock({ type: 'text', text: '' });
    const encode = context.createTokenEncoder(`${deltaPrefix()}{"type":"text_delta","text":`, '}}\n\n');
    for (const token of plan.text) frames.token(encode(token));
    stopBlock();
  }
  for (const call of plan.toolCalls) {
    startBlock({ type: 'tool_use', id: context.createId('toolu_01'), name: call.name, input: {} });
    frames.structural(`${deltaPrefix()}{"type":"input_json_delta","partial_json":""}}\n\n`);
    for (const piece of call.argumentPieces) {
      frames.token(`${deltaPrefix()}${JSON.stringify({ type: 'input_json_delta', partial_json: piece })}}\n\n`);
    }
    stopBlock();
  }
  frames.structural(
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: STOP_REASONS[plan.finish], stop_sequence: null },
      usage: { output_tokens: plan.completionTokens },
    }),
  );
  const { prelude, tokens, trailer } = frames.finish(event('message_stop', { type: 'message_stop' }));
  return {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'request-id': `req_011C${randomBase62(20)}`,
    },
    prelude,
    tokens,
    trailer,
    errorEvent: IN_STREAM_ERROR,
  };
}

function renderAnthropicCompletion(plan: ResponsePlan, request: ParsedRequest, context: RenderContext): HttpReply {
  const content: unknown[] = [];
  if (plan.reasoning.length > 0) {
    content.push({ type: 'thinking', thinking: plan.reasoning.join(''), signature: thinkingSignature(request) });
  }
  if (plan.toolCalls.length === 0) content.push({ type: 'text', text: plan.text.join('') });
  for (const call of plan.toolCalls) {
    content.push({ type: 'tool_use', id: context.createId('toolu_01'), name: call.name, input: call.arguments });
  }
  return jsonReply(
    200,
    {
      id: context.createId('msg_01'),
      type: 'message',
      role: 'assistant',
      model: context.model,
      content,
      stop_reason: STOP_REASONS[plan.finish],
      stop_sequence: null,
      usage: usageOf(plan.promptTokens, plan.completionTokens),
    },
    { 'request-id': `req_011C${randomBase62(20)}` },
  );
}
