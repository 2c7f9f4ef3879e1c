import { countWordsDeep } from '../generate-text.js';
import type { ResponsePlan } from '../plan-response.js';
import type { HttpReply, ParsedRequest, ToolDefinition } from '../simulator-types.js';
import {
  asRecord,
  type Chunk,
  type ErrorDetails,
  findSeedText,
  headerValue,
  jsonReply,
  type ProtocolHandler,
  type RenderContext,
  type RouteInfo,
  type StreamRendering,
  standardErrorFor,
  type TokenFrames,
} from './protocol.js';

/**
 * Gemini API: `POST /v1beta/models/{model}:streamGenerateContent?alt=sse` and `:generateContent`, key in
 * `x-goog-api-key` or `?key=`, `data: {GenerateContentResponse}` events framed with CRLF, running-total
 * `usageMetadata`, and the google.rpc.Status error envelope.
 * @see https://ai.google.dev/api/generate-content
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting
 */
export const googleProtocol: ProtocolHandler = {
  protocol: 'google',
  overloadedStatus: 503,
  inStreamErrorStatus: 503,
  authenticate(headers, url, apiKey) {
    const key = headerValue(headers['x-goog-api-key']) ?? url.searchParams.get('key') ?? '';
    if (key === '' || (apiKey !== undefined && key !== apiKey)) {
      return renderGoogleError(400, {
        message: 'API key not valid. Please pass a valid API key.',
        streaming: url.pathname.endsWith(':streamGenerateContent'),
      });
    }
    return undefined;
  },
  parseRequest: parseGoogleRequest,
  renderError: renderGoogleError,
  renderStream: renderGoogleStream,
  renderCompletion: renderGoogleCompletion,
};

function partsText(content: unknown): string {
  const parts = asRecord(content)?.parts;
  if (!Array.isArray(parts)) return '';
  return parts
    .map((part) => {
      const record = asRecord(part);
      return record && typeof record.text === 'string' && record.thought !== true ? record.text : '';
    })
    .join('');
}

function hasPart(content: Record<string, unknown>, key: string): boolean {
  return Array.isArray(content.parts) && content.parts.some((part) => asRecord(part)?.[key] !== undefined);
}

function parseGoogleRequest(body: unknown, route: RouteInfo): ParsedRequest | HttpReply {
  const request = asRecord(body);
  const streaming = route.pathStream === true;
  if (!request) {
    return renderGoogleError(400, { message: 'Invalid JSON payload received. Unexpected token.', streaming });
  }
  if (!Array.isArray(request.contents) || request.contents.length === 0) {
    return renderGoogleError(400, {
      message: '* GenerateContentRequest.contents: contents is not specified\n',
      streaming,
    });
  }
  const contents = request.contents.map((content) => asRecord(content) ?? {});
  const last = contents[contents.length - 1]!;
  // A final `model` turn is a prefill: the answer continues it.
  const isContinuation = last.role === 'model';
  const seedText = findSeedText(contents, isContinuation ? contents.length - 1 : contents.length, (content) =>
    content.role !== 'model' ? partsText(content) || undefined : undefined,
  );
  const tools: ToolDefinition[] = (Array.isArray(request.tools) ? request.tools : []).flatMap((tool) => {
    const declarations = asRecord(tool)?.functionDeclarations;
    return (Array.isArray(declarations) ? declarations : []).flatMap((declaration) => {
      const record = asRecord(declaration);
      return record && typeof record.name === 'string'
        ? [{ name: record.name, schema: record.parameters ?? record.parametersJsonSchema ?? {} }]
        : [];
    });
  });
  const callingConfig = asRecord(asRecord(request.toolConfig)?.functionCallingConfig);
  const allowed = callingConfig?.allowedFunctionNames;
  const maxTokens = asRecord(request.generationConfig)?.maxOutputTokens;
  return {
    rawModel: route.pathModel ?? '',
    stream: streaming,
    maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
    promptTokens: countWordsDeep(request.contents) + countWordsDeep(request.systemInstruction ?? ''),
    seedText,
    partialAnswer: isContinuation ? partsText(last) : undefined,
    tools,
    toolsEnabled: callingConfig?.mode !== 'NONE',
    forcedTool: callingConfig?.mode === 'ANY' && Array.isArray(allowed) ? (allowed[0] as string) : undefined,
    endsWithUserQuestion: last.role !== 'model' && !hasPart(last, 'functionResponse'),
    includeUsage: false,
  };
}

const STATUS_NAMES: Record<number, { status: string; message: string }> = {
  400: { status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  401: { status: 'UNAUTHENTICATED', message: 'Request had invalid authentication credentials.' },
  403: { status: 'PERMISSION_DENIED', message: 'The caller does not have permission' },
  404: { status: 'NOT_FOUND', message: 'Requested entity was not found.' },
  409: { status: 'ABORTED', message: 'The operation was aborted.' },
  429: {
    status: 'RESOURCE_EXHAUSTED',
    message:
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
  },
  500: {
    status: 'INTERNAL',
    message:
      'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  },
  503: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
  504: { status: 'DEADLINE_EXCEEDED', message: 'Deadline expired before operation could complete.' },
};

/**
 * The google.rpc.Status envelope for a status. A bad key is 400 `API_KEY_INVALID` (not 401); a 429 carries
 * `QuotaFailure` and `RetryInfo.retryDelay`. Errors to a streaming request keep `Content-Type: text/event-stream`
 * with a plain JSON body, as Google's front end does.
 */
export function renderGoogleError(status: number, details: ErrorDetails = {}): HttpReply {
  const known = standardErrorFor(STATUS_NAMES, status);
  const message =
    details.message ??
    (status === 404 && details.model
      ? `models/${details.model} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`
      : known.message);
  const error: Record<string, unknown> = { code: status, message, status: known.status };
  const headers: Record<string, string> = { 'x-content-type-options': 'nosniff', server: 'scaffolding on HTTPServer2' };
  if (message.startsWith('API key not valid')) {
    error.details = [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
      { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message },
    ];
  }
  if (status === 429) {
    const seconds = details.retryAfterSeconds ?? 1;
    headers['retry-after'] = String(Math.ceil(seconds));
    error.details = [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [{ quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }],
      },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${seconds}s` },
    ];
  }
  const reply = jsonReply(status, { error }, headers);
  if (details.streaming) reply.headers['content-type'] = 'text/event-stream';
  return reply;
}

const IN_STREAM_ERROR = `data: ${JSON.stringify({ error: { code: 503, message: STATUS_NAMES[503]!.message, status: 'UNAVAILABLE' } })}\r\n\r\n`;

const FINISH_REASONS: Record<ResponsePlan['finish'], string> = {
  stop: 'STOP',
  length: 'MAX_TOKENS',
  tool_calls: 'STOP',
};

function usageMetadata(promptTokens: number, candidates: number, thoughts: number): Record<string, unknown> {
  const usage: Record<string, unknown> = {
    promptTokenCount: promptTokens,
    candidatesTokenCount: candidates,
    totalTokenCount: promptTokens + candidates + thoughts,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
  };
  if (thoughts > 0) usage.thoughtsTokenCount = thoughts;
  return usage;
}

function renderGoogleStream(plan: ResponsePlan, _request: ParsedRequest, context: RenderContext): StreamRendering {
  const responseId = context.createId('');
  const tail = `,"modelVersion":${JSON.stringify(context.model)},"responseId":"${responseId}"}\r\n\r\n`;
  const tokens = new GoogleTokenFrames(plan, tail);
  const trailer =
    tokens.length > 0
      ? ''
      : `data: {"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"${FINISH_REASONS[plan.finish]}","index":0}],"usageMetadata":${JSON.stringify(usageMetadata(plan.promptTokens, 0, 0))}${tail}`;
  return {
    headers: {
      'content-type': 'text/event-stream',
      'x-content-type-options': 'nosniff',
      server: 'scaffolding on HTTPServer2',
    },
    prelude: '',
    tokens,
    trailer,
    errorEvent: IN_STREAM_ERROR,
  };
}

/**
 * A Gemini stream's events, each rendered when it is written. Usage is a running total, so every event differs and
 * none can be cached or shared between streams; rendering all of them up front cost the simulator a core when many
 * long streams started at once (200 streams of 1,000 tokens each, cut after 3: the bench's abort stage).
 */
class GoogleTokenFrames implements TokenFrames {
  readonly length: number;
  readonly #plan: ResponsePlan;
  readonly #tail: string;

  constructor(plan: ResponsePlan, tail: string) {
    this.length = plan.reasoning.length + plan.text.length + plan.toolCalls.length;
    this.#plan = plan;
    this.#tail = tail;
  }

  at(index: number): Chunk | undefined {
    if (index < 0 || index >= this.length) return undefined;
    const plan = this.#plan;
    // The stream's order: thoughts, then text tokens, then one functionCall per call. The running counts at `index`
    // follow from its position.
    const thoughts = Math.min(index + 1, plan.reasoning.length);
    const candidates = index + 1 - thoughts;
    const finish = index === this.length - 1 ? `,"finishReason":"${FINISH_REASONS[plan.finish]}"` : '';
    return `data: {"candidates":[{"content":{"parts":[${JSON.stringify(this.#part(index))}],"role":"model"}${finish},"index":0}],"usageMetadata":${JSON.stringify(usageMetadata(plan.promptTokens, candidates, thoughts))}${this.#tail}`;
  }

  /** The part at `index` of the stream's order. */
  #part(index: number): Record<string, unknown> {
    const { reasoning, text, toolCalls } = this.#plan;
    if (index < reasoning.length) return { text: reasoning[index], thought: true };
    if (index < reasoning.length + text.length) return { text: text[index - reasoning.length] };
    const call = toolCalls[index - reasoning.length - text.length];
    return { functionCall: { name: call.name, args: call.arguments } };
  }
}

function renderGoogleCompletion(plan: ResponsePlan, _request: ParsedRequest, context: RenderContext): HttpReply {
  const parts: Record<string, unknown>[] = [];
  if (plan.reasoning.length > 0) parts.push({ text: plan.reasoning.join(''), thought: true });
  if (plan.text.length > 0 || plan.toolCalls.length === 0) parts.push({ text: plan.text.join('') });
  for (const call of plan.toolCalls) parts.push({ functionCall: { name: call.name, args: call.arguments } });
  const candidates = plan.text.length + plan.toolCalls.length;
  return jsonReply(
    200,
    {
      candidates: [{ content: { parts, role: 'model' }, finishReason: FINISH_REASONS[plan.finish], index: 0 }],
      usageMetadata: usageMetadata(plan.promptTokens, candidates, plan.reasoning.length),
      modelVersion: context.model,
      responseId: context.createId(''),
    },
    { 'x-content-type-options': 'nosniff', server: 'scaffolding on HTTPServer2' },
  );
}
