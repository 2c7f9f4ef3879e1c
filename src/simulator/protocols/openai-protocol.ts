import { CONTINUATION_INSTRUCTION } from '../../core/providers/shared/continuation.js';
import { countWordsDeep } from '../generate-text.js';
import type { ResponsePlan } from '../plan-response.js';
import { randomHex } from '../random-id.js';
import type { HttpReply, ParsedRequest, ToolDefinition } from '../simulator-types.js';
import {
  asRecord,
  bearerToken,
  type Chunk,
  type ErrorDetails,
  findSeedText,
  jsonReply,
  type ProtocolHandler,
  type RenderContext,
  type StreamRendering,
} from './protocol.js';

/**
 * OpenAI Chat Completions: `POST /v1/chat/completions` with `Authorization: Bearer`, `data: {chunk}\n\n` frames ended
 * by `data: [DONE]`, and the `{"error":{message,type,param,code}}` envelope.
 * @see https://platform.openai.com/docs/api-reference/chat/streaming
 */
export const openAIProtocol: ProtocolHandler = {
  protocol: 'openai',
  overloadedStatus: 503,
  inStreamErrorStatus: 500,
  authenticate(headers, _url, apiKey) {
    const key = bearerToken(headers);
    if (key === '') {
      return renderOpenAIError(401, {
        message:
          "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. You can obtain an API key from https://platform.openai.com/account/api-keys.",
        code: null,
      });
    }
    if (apiKey !== undefined && key !== apiKey) {
      return renderOpenAIError(401, {
        message: `Incorrect API key provided: ${maskKey(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
        code: 'invalid_api_key',
      });
    }
    return undefined;
  },
  parseRequest: parseOpenAIRequest,
  renderError: renderOpenAIError,
  renderStream: renderOpenAIStream,
  renderCompletion: renderOpenAICompletion,
};

/** `sk-abc…xyz` the way OpenAI echoes a wrong key: never the whole key. */
function maskKey(key: string): string {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (asRecord(part)?.type === 'text' ? String(asRecord(part)?.text ?? '') : '')).join('');
}

function parseOpenAIRequest(body: unknown): ParsedRequest | HttpReply {
  const request = asRecord(body);
  if (!request) return renderOpenAIError(400, { message: 'We could not parse the JSON body of your request.' });
  if (typeof request.model !== 'string' || request.model === '') {
    return renderOpenAIError(400, { message: 'you must provide a model parameter' });
  }
  const messages = request.messages;
  if (messages === undefined) {
    return renderOpenAIError(400, {
      message: "Missing required parameter: 'messages'.",
      param: 'messages',
      code: 'missing_required_parameter',
    });
  }
  if (!Array.isArray(messages) || messages.length === 0) {
    return renderOpenAIError(400, {
      message: Array.isArray(messages)
        ? "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead."
        : "Invalid type for 'messages': expected an array of objects.",
      param: 'messages',
      code: Array.isArray(messages) ? 'empty_array' : 'invalid_type',
    });
  }
  const turns = messages.map((message) => asRecord(message) ?? {});
  const last = turns[turns.length - 1]!;
  const previous = turns[turns.length - 2];
  const isContinuation =
    last.role === 'user' && contentText(last.content) === CONTINUATION_INSTRUCTION && previous?.role === 'assistant';
  const seedText = findSeedText(turns, isContinuation ? turns.length - 2 : turns.length, (turn) =>
    turn.role === 'user' ? contentText(turn.content) : undefined,
  );
  const tools: ToolDefinition[] = (Array.isArray(request.tools) ? request.tools : []).flatMap((tool) => {
    const fn = asRecord(asRecord(tool)?.function);
    return fn && typeof fn.name === 'string' ? [{ name: fn.name, schema: fn.parameters ?? {} }] : [];
  });
  const toolChoice = request.tool_choice;
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  return {
    rawModel: request.model,
    stream: request.stream === true,
    maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
    promptTokens: countWordsDeep(messages),
    seedText,
    partialAnswer: isContinuation ? contentText(previous?.content) : undefined,
    tools,
    toolsEnabled: toolChoice !== 'none',
    forcedTool: asRecord(asRecord(toolChoice)?.function)?.name as string | undefined,
    endsWithUserQuestion: last.role === 'user',
    includeUsage: asRecord(request.stream_options)?.include_usage === true,
  };
}

const STANDARD_ERRORS: Record<number, { type: string; code: string | null; message: string }> = {
  400: { type: 'invalid_request_error', code: null, message: 'Invalid request.' },
  401: { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' },
  403: {
    type: 'invalid_request_error',
    code: 'unsupported_country_region_territory',
    message: 'Country, region, or territory not supported',
  },
  404: {
    type: 'invalid_request_error',
    code: 'model_not_found',
    message: 'The model does not exist or you do not have access to it.',
  },
  500: {
    type: 'server_error',
    code: null,
    message: 'The server had an error while processing your request. Sorry about that!',
  },
  502: { type: 'server_error', code: null, message: 'Bad gateway.' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later.' },
  504: { type: 'server_error', code: null, message: 'Gateway timeout.' },
};

/** OpenAI's error envelope for a status; 429 carries `retry-after` and the `x-ratelimit-*` family. */
export function renderOpenAIError(status: number, details: ErrorDetails = {}): HttpReply {
  const headers: Record<string, string> = { 'x-request-id': `req_${randomHex(16)}`, 'openai-version': '2020-10-01' };
  let error: { message: string; type: string; param: string | null; code: string | null };
  if (status === 429) {
    const seconds = details.retryAfterSeconds ?? 1;
    Object.assign(headers, {
      'retry-after': String(Math.ceil(seconds)),
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': `${seconds}s`,
    });
    error = {
      message:
        details.message ??
        `Rate limit reached for ${details.model ?? 'model'} in organization org-simulator on requests per min (RPM): Limit 60, Used 60, Requested 1. Please try again in ${seconds}s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    };
  } else {
    const standard = STANDARD_ERRORS[status] ?? {
      type: status >= 500 ? 'server_error' : 'invalid_request_error',
      code: null,
      message: status >= 500 ? STANDARD_ERRORS[500]!.message : 'Invalid request.',
    };
    error = {
      message: details.message ?? standard.message,
      type: standard.type,
      param: details.param ?? null,
      code: details.code !== undefined ? details.code : details.message ? null : standard.code,
    };
  }
  return jsonReply(status, { error }, headers);
}

const IN_STREAM_ERROR = `data: ${JSON.stringify({ error: { message: STANDARD_ERRORS[500]!.message, type: 'server_error', param: null, code: null } })}\n\n`;

function usageOf(plan: ResponsePlan) {
  return {
    prompt_tokens: plan.promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: plan.promptTokens + plan.completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: plan.reasoning.length,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function renderOpenAIStream(plan: ResponsePlan, request: ParsedRequest, context: RenderContext): StreamRendering {
  const id = context.createId('chatcmpl-');
  const head = `data: {"id":"${id}","object":"chat.completion.chunk","created":${context.created},"model":${JSON.stringify(context.model)},"service_tier":"default","system_fingerprint":"fp_simulator","choices":[{"index":0,"delta":`;
  const usageNull = request.includeUsage ? ',"usage":null' : '';
  const tail = (finish: string | null) =>
    `,"logprobs":null,"finish_reason":${finish === null ? 'null' : `"${finish}"`}}]${usageNull}}\n\n`;
  const frame = (delta: unknown, finish: string | null = null) => head + JSON.stringify(delta) + tail(finish);
  const tokens: Chunk[] = [];
  const reasoning = context.createTokenEncoder(`${head}{"reasoning_content":`, `}${tail(null)}`);
  for (const token of plan.reasoning) tokens.push(reasoning(token));
  const content = context.createTokenEncoder(`${head}{"content":`, `}${tail(null)}`);
  for (const token of plan.text) tokens.push(content(token));
  plan.toolCalls.forEach((call, index) => {
    const opening = frame({
      tool_calls: [
        { index, id: context.createId('call_'), type: 'function', function: { name: call.name, arguments: '' } },
      ],
    });
    call.argumentPieces.forEach((piece, pieceIndex) => {
      const delta = frame({ tool_calls: [{ index, function: { arguments: piece } }] });
      tokens.push(pieceIndex === 0 ? opening + delta : delta);
    });
  });
  let trailer = frame({}, plan.finish);
  if (request.includeUsage) {
    trailer += `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: context.created, model: context.model, service_tier: 'default', system_fingerprint: 'fp_simulator', choices: [], usage: usageOf(plan) })}\n\n`;
  }
  trailer += 'data: [DONE]\n\n';
  return {
    headers: streamHeaders(),
    prelude: frame({ role: 'assistant', content: '', refusal: null }),
    tokens,
    trailer,
    errorEvent: IN_STREAM_ERROR,
  };
}

function streamHeaders(): Record<string, string> {
  return {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-request-id': `req_${randomHex(16)}`,
    'openai-version': '2020-10-01',
    'openai-processing-ms': '1',
  };
}

function renderOpenAICompletion(plan: ResponsePlan, _request: ParsedRequest, context: RenderContext): HttpReply {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: plan.toolCalls.length > 0 ? null : plan.text.join(''),
    refusal: null,
    annotations: [],
  };
  if (plan.reasoning.length > 0) message.reasoning_content = plan.reasoning.join('');
  if (plan.toolCalls.length > 0) {
    message.tool_calls = plan.toolCalls.map((call) => ({
      id: context.createId('call_'),
      type: 'function',
      function: { name: call.name, arguments: JSON.stringify(call.arguments) },
    }));
  }
  return jsonReply(
    200,
    {
      id: context.createId('chatcmpl-'),
      object: 'chat.completion',
      created: context.created,
      model: context.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finish }],
      usage: usageOf(plan),
      service_tier: 'default',
      system_fingerprint: 'fp_simulator',
    },
    { 'x-request-id': `req_${randomHex(16)}`, 'openai-version': '2020-10-01', 'openai-processing-ms': '1' },
  );
}
