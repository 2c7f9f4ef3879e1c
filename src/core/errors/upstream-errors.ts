import { CircuitBreakerError, type ErrorCode } from './circuit-breaker-error.js';

/**
 * The provider answered with a non-2xx HTTP status. `providerErrorType`/`providerErrorCode` carry the provider's own
 * classification (OpenAI `error.type`/`error.code`, Anthropic `error.type`, Gemini `error.status`).
 * The message is the provider's message, never containing an API key (see `redactSecrets`).
 */
export class UpstreamStatusError extends CircuitBreakerError {
  readonly upstreamStatus: number;
  /** The normalized classification the resilience policies act on (providers disagree on statuses). */
  readonly kind: UpstreamErrorKind;
  readonly providerErrorType: string | undefined;
  readonly providerErrorCode: string | undefined;
  /** True for context-length errors, which move to `context_window_fallbacks`. */
  readonly contextLengthExceeded: boolean;

  constructor(options: {
    provider: string;
    status: number;
    message: string;
    providerErrorType?: string;
    providerErrorCode?: string;
    retryable: boolean;
    retryAfterMs?: number;
    contextLengthExceeded?: boolean;
    /** Defaults from the status; set it when the provider's status misleads (Gemini's 400 API_KEY_INVALID). */
    kind?: UpstreamErrorKind;
  }) {
    const kind =
      options.kind ?? (options.contextLengthExceeded ? 'context_length' : classifyUpstreamStatus(options.status));
    super({
      code: kind === 'rate_limit' ? 'RATE_LIMITED' : 'UPSTREAM_STATUS',
      status: mapUpstreamErrorKindToGatewayStatus(kind, options.status),
      message: `${options.provider} returned HTTP ${options.status}: ${options.message}`,
      retryable: options.retryable,
      retryAfterMs: options.retryAfterMs,
      provider: options.provider,
    });
    this.upstreamStatus = options.status;
    this.providerErrorType = options.providerErrorType;
    this.providerErrorCode = options.providerErrorCode;
    this.contextLengthExceeded = kind === 'context_length';
    this.kind = kind;
  }
}

/**
 * - `authentication`: our provider key is wrong or lacks permission (401/403): the deployment is misconfigured.
 * - `rate_limit`: 429 (retry elsewhere / later). `overloaded`: 503, Anthropic 529.
 * - `server`: other 5xx and 408. `context_length`: the prompt is too long for this model.
 * - `invalid_request` (400/413/422) and `not_found` (404): the caller's fault; never retried.
 */
export type UpstreamErrorKind =
  | 'authentication'
  | 'rate_limit'
  | 'overloaded'
  | 'server'
  | 'context_length'
  | 'invalid_request'
  | 'not_found';

export function classifyUpstreamStatus(status: number): UpstreamErrorKind {
  if (status === 401 || status === 403) return 'authentication';
  if (status === 429) return 'rate_limit';
  if (status === 503 || status === 529) return 'overloaded';
  if (status === 404) return 'not_found';
  if (status >= 400 && status < 500 && status !== 408 && status !== 409) return 'invalid_request';
  return 'server';
}

/**
 * Caller errors keep their status (400/404/413/422); upstream trouble becomes a gateway status: 429 stays 429,
 * a wrong provider key (our fault, not the caller's) and other failures become 502, overloaded → 503, 504/408 → 504.
 */
function mapUpstreamErrorKindToGatewayStatus(kind: UpstreamErrorKind, status: number): number {
  switch (kind) {
    case 'invalid_request':
      return status === 413 || status === 422 ? status : 400;
    case 'context_length':
      return 400;
    case 'not_found':
      return 404;
    case 'rate_limit':
      return 429;
    case 'overloaded':
      return 503;
    case 'authentication':
      return 502;
    case 'server':
      return status === 504 || status === 408 ? 504 : 502;
  }
}

/** fetch itself failed: DNS, refused, reset before a response. Always retryable. */
export class UpstreamConnectionError extends CircuitBreakerError {
  constructor(provider: string, cause: unknown) {
    super({
      code: 'UPSTREAM_CONNECTION',
      status: 502,
      retryable: true,
      provider,
      cause,
      message: `Could not reach ${provider}: ${describeCause(cause)}`,
    });
  }
}

/** The provider sent an error event inside a 200 stream (Anthropic `event: error`, OpenAI `{"error":…}`). */
export class UpstreamStreamError extends CircuitBreakerError {
  readonly providerErrorType: string | undefined;
  constructor(options: { provider: string; message: string; providerErrorType?: string; retryable?: boolean }) {
    super({
      code: 'UPSTREAM_STREAM_ERROR',
      status: 502,
      retryable: options.retryable ?? true,
      provider: options.provider,
      message: `${options.provider} stream error: ${options.message}`,
    });
    this.providerErrorType = options.providerErrorType;
  }
}

/** The stream ended without its proper end marker: never treated as a clean finish. */
export class StreamTruncatedError extends CircuitBreakerError {
  constructor(provider: string, detail = 'the stream ended before its end marker') {
    super({
      code: 'STREAM_TRUNCATED',
      status: 502,
      retryable: true,
      provider,
      message: `${provider} stream truncated: ${detail}`,
    });
  }
}

/** One SSE event grew past the configured bound (an upstream that never ends a line). */
export class SseEventTooLargeError extends CircuitBreakerError {
  constructor(limitBytes: number, provider?: string) {
    super({
      code: 'SSE_EVENT_TOO_LARGE',
      status: 502,
      retryable: true,
      provider,
      message: `An upstream SSE event exceeded ${limitBytes} bytes without ending`,
    });
  }
}

/** A non-streamed upstream body was not what the provider documents. */
export class UpstreamMalformedError extends CircuitBreakerError {
  constructor(provider: string, detail: string, cause?: unknown) {
    super({
      code: 'UPSTREAM_MALFORMED',
      status: 502,
      retryable: true,
      provider,
      cause,
      message: `${provider}: ${detail}`,
    });
  }
}

export type TimeoutKind = 'connect' | 'first_token' | 'idle';

/** Connect, first-token or idle (stall) timeout; counts as a failure of the deployment. */
export class UpstreamTimeoutError extends CircuitBreakerError {
  readonly kind: TimeoutKind;
  constructor(options: { kind: TimeoutKind; timeoutMs: number; provider?: string }) {
    const codes: Record<TimeoutKind, ErrorCode> = {
      connect: 'TIMEOUT_CONNECT',
      first_token: 'TIMEOUT_FIRST_TOKEN',
      idle: 'TIMEOUT_IDLE',
    };
    super({
      code: codes[options.kind],
      status: 504,
      retryable: true,
      provider: options.provider,
      message: `Upstream ${options.kind.replace('_', ' ')} timeout after ${options.timeoutMs} ms${options.provider ? ` (${options.provider})` : ''}`,
    });
    this.kind = options.kind;
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as { cause?: unknown }).cause;
    const code = inner && typeof inner === 'object' && 'code' in inner ? ` (${String(inner.code)})` : '';
    return `${cause.message}${code}`;
  }
  return String(cause);
}
