import type { IncomingMessage, ServerResponse } from 'node:http';
import type { createFaultSelector } from './fault-rules.js';
import type { PacingScheduler } from './pacing-scheduler.js';
import {
  parseModelOptions,
  parseOptionsHeader,
  type RequestOptions,
  SimulatorOptionError,
} from './parse-request-options.js';
import { planResponse } from './plan-response.js';
import {
  headerValue,
  isHttpReply,
  type ProtocolHandler,
  type RenderContext,
  type RouteInfo,
} from './protocols/protocol.js';
import { recordRequest, type SimulatorStats } from './simulator-stats.js';
import type { Fault, HttpReply, ParsedRequest } from './simulator-types.js';
import { writeCompletion } from './write-completion.js';
import { writeStream } from './write-stream.js';

/** Server-wide defaults and shared machinery for generation requests. */
export interface GenerationEnvironment {
  apiKey: string | undefined;
  ttftMs: number;
  tokensPerSecond: number;
  tokens: number;
  scheduler: PacingScheduler;
  stats: SimulatorStats;
  faults: ReturnType<typeof createFaultSelector>;
  createRenderContext: (model: string) => RenderContext;
}

/** Sends a plain reply (errors, validation failures, status faults). */
export function sendReply(response: ServerResponse, reply: HttpReply): void {
  response.writeHead(reply.status, reply.headers);
  response.end(reply.body);
}

/**
 * One generation request, start to end: authenticate, validate, read the per-request options, pick a fault, plan the
 * answer and hand it to the stream or completion writer.
 */
export function handleGeneration(
  environment: GenerationEnvironment,
  exchange: { request: IncomingMessage; response: ServerResponse; url: URL; body: unknown; receivedAt: number },
  handler: ProtocolHandler,
  route: RouteInfo,
): void {
  const prepared = prepareGeneration(environment, exchange, handler, route);
  if (isHttpReply(prepared)) {
    sendReply(exchange.response, prepared);
    return;
  }
  const { parsed, model, options, fault } = prepared;
  const plan = planResponse(parsed, {
    tokens: options.tokens ?? environment.tokens,
    toolCalls: options.toolCalls ?? 1,
    reasoning: options.reasoning ?? 0,
  });
  const context = environment.createRenderContext(model);
  const writeContext = {
    response: exchange.response,
    scheduler: environment.scheduler,
    stats: environment.stats,
    protocol: handler.protocol,
    model,
    receivedAt: exchange.receivedAt,
    ttftMs: options.ttftMs ?? environment.ttftMs,
    tokensPerSecond:
      fault?.kind === 'slow' ? fault.tokensPerSecond : (options.tokensPerSecond ?? environment.tokensPerSecond),
    fault,
  };
  if (parsed.stream) {
    writeStream(writeContext, handler.renderStream(plan, parsed, context));
    return;
  }
  writeCompletion(writeContext, {
    reply: handler.renderCompletion(plan, parsed, context),
    tokens: plan.completionTokens,
    errorReply: handler.renderError(handler.inStreamErrorStatus, { model }),
  });
}

interface PreparedGeneration {
  parsed: ParsedRequest;
  model: string;
  options: RequestOptions;
  fault: Fault | undefined;
}

/** Everything before generation; an `HttpReply` when the request ends here (auth, validation, status faults). */
function prepareGeneration(
  environment: GenerationEnvironment,
  exchange: { request: IncomingMessage; url: URL; body: unknown },
  handler: ProtocolHandler,
  route: RouteInfo,
): PreparedGeneration | HttpReply {
  const authFailure = handler.authenticate(exchange.request.headers, exchange.url, environment.apiKey);
  if (authFailure) return authFailure;
  const parsed = handler.parseRequest(exchange.body, route);
  if (isHttpReply(parsed)) return parsed;
  let model: string;
  let options: RequestOptions;
  try {
    const fromModel = parseModelOptions(parsed.rawModel);
    model = fromModel.model;
    const header = headerValue(exchange.request.headers['x-simulator-options']);
    options = { ...fromModel.options, ...parseOptionsHeader(header) };
  } catch (error) {
    if (!(error instanceof SimulatorOptionError)) throw error;
    return handler.renderError(400, { message: error.message, streaming: parsed.stream });
  }
  recordRequest(environment.stats, handler.protocol, model);
  const fault = environment.faults.select(model, options);
  if (fault !== undefined) environment.stats.faults++;
  const streaming = parsed.stream;
  switch (fault?.kind) {
    case 'status':
      return handler.renderError(fault.status, { model, streaming });
    case 'rate_limit':
      return handler.renderError(429, { model, streaming, retryAfterSeconds: fault.retryAfterSeconds });
    case 'overloaded':
      return handler.renderError(handler.overloadedStatus, { model, streaming });
    default:
      return { parsed, model, options, fault };
  }
}
