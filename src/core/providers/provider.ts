import type { CircuitBreakerError } from '../errors/circuit-breaker-error.js';
import type { SseEvent } from '../sse/sse-event.js';
import type { CompletionMessage, FinishReason, Usage } from '../types/chat-chunk.js';
import type { ChatCompletionRequest } from '../types/chat-request.js';
import type { StreamPart } from '../types/stream-part.js';

/** The wire protocols we speak. `openai-compatible` is OpenAI's protocol at any base URL. */
export type ProviderType = 'openai' | 'anthropic' | 'google' | 'openai-compatible';

/** One configured provider entry (`providers.<name>` in the config), resolved: env vars already interpolated. */
export interface ProviderConfig {
  /** The configured name (`primary`, `openai`, …); used in errors, headers, metrics. Never the key. */
  name: string;
  type: ProviderType;
  /** OpenAI-style base URLs include the version (`…/v1`); Anthropic's and Google's are the bare origin. */
  baseUrl?: string;
  apiKey?: string;
  /** Extra headers sent upstream (e.g. `anthropic-beta`, `OpenAI-Organization`). */
  headers?: Record<string, string>;
  /** Injectable fetch (tests, custom dispatchers). Defaults to the global fetch. */
  fetch?: typeof fetch;
  /**
   * The HTTP client, when not `fetch`: a runtime-specific one (the Node gateway passes one built on
   * `node:http`, which skips fetch's web-stream body). `fetch`, when given too, wins.
   */
  transport?: HttpTransport;
}

/** One upstream call as the providers make it: a POST with a JSON body. */
export interface HttpTransportRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  signal?: AbortSignal;
}

/**
 * Response headers as the router reads them: only `get` (case-insensitive, repeated headers joined by ", "). A
 * fetch `Headers` is one; a transport may hand a lighter reader over its raw header list instead of building one.
 */
export type ResponseHeaders = Pick<Headers, 'get'>;

/** What an {@link HttpTransport} answers: the status and headers, and the body read once, as bytes or as text. */
export interface HttpTransportResponse {
  status: number;
  headers: ResponseHeaders;
  /** The body's bytes as they arrive; ending the iteration early must abort the upstream request. */
  body: AsyncIterable<Uint8Array>;
  /** The whole body as text (instead of iterating it). */
  text(): Promise<string>;
}

/**
 * An HTTP client for the providers: resolves once the response headers are in, rejects when the request could not be
 * made (or the signal fired); the body streams afterwards and fails when the signal fires.
 */
export type HttpTransport = (request: HttpTransportRequest) => Promise<HttpTransportResponse>;

/** Text already delivered to the caller, for mid-stream failover: the provider continues from it. */
export interface Continuation {
  assistantText: string;
}

export interface ProviderCallOptions {
  /** Upstream model id (without any routing prefix). */
  model: string;
  request: ChatCompletionRequest;
  signal?: AbortSignal;
  continuation?: Continuation;
  /** Called for each upstream event skipped because its JSON was malformed. */
  onMalformedEvent?: (info: MalformedEventInfo) => void;
}

export interface MalformedEventInfo {
  provider: string;
  event: SseEvent;
  error: unknown;
}

export interface ProviderStream {
  /** Parts as the provider produces them; leaving the loop early cancels the upstream body. */
  parts: AsyncIterable<StreamPart>;
  /** Upstream response headers (rate-limit figures for adaptive routing). */
  headers: ResponseHeaders;
}

export interface ProviderCompletion {
  message: CompletionMessage;
  finishReason: FinishReason;
  usage: Usage;
  headers: ResponseHeaders;
  /** The upstream's own response id/model, for logs only. */
  upstreamId?: string;
  upstreamModel?: string;
}

/** What the router calls. Built from a {@link ProviderAdapter} by `createHttpProvider`. */
export interface Provider {
  readonly name: string;
  readonly type: ProviderType;
  stream(options: ProviderCallOptions): Promise<ProviderStream>;
  complete(options: ProviderCallOptions): Promise<ProviderCompletion>;
}

/** The upstream HTTP request a provider adapter builds. */
export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface ConvertRequestOptions {
  request: ChatCompletionRequest;
  model: string;
  stream: boolean;
  baseUrl: string;
  apiKey: string | undefined;
  providerName: string;
  continuation?: Continuation;
}

export interface StreamParserContext {
  provider: string;
  /** Emits one part downstream (synchronously queued; delivered after the current network read). */
  emit: (part: StreamPart) => void;
  /** Reports an event skipped because its JSON was malformed; the stream goes on. */
  onMalformedEvent: (event: SseEvent, error: unknown) => void;
}

/**
 * A per-stream parser, holding its own state (a class instance: docs/decisions/0006). `onEvent` may throw a typed error
 * (in-stream error event); `onEnd` throws `StreamTruncatedError` when the proper end marker never came.
 */
export interface StreamParser {
  onEvent(event: SseEvent): void;
  onEnd(): void;
}

export interface UpstreamErrorInput {
  provider: string;
  status: number;
  headers: ResponseHeaders;
  bodyText: string;
}

/**
 * Everything protocol-specific about one provider, as pure functions; the HTTP work around them is shared
 * (`providers/shared/create-http-provider.ts`). Each provider folder exports one adapter.
 */
export interface ProviderAdapter {
  readonly type: ProviderType;
  readonly defaultBaseUrl: string;
  /** Environment variables read when no config is given (key first). */
  readonly environment?: { apiKey: string[]; baseUrl: string[] };
  convertRequest(options: ConvertRequestOptions): UpstreamRequest;
  createStreamParser(context: StreamParserContext): StreamParser;
  convertResponse(body: unknown, provider: string): Omit<ProviderCompletion, 'headers'>;
  mapError(input: UpstreamErrorInput): CircuitBreakerError;
}
