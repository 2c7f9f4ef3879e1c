import { CircuitBreakerError, type ErrorCode } from './circuit-breaker-error.js';

/**
 * The provider answered with a non-2xx HTTP status. `providerErrorType`/`providerErrorCode` carry the provider's own
 * classification (OpenAI `error.type`/`error.code`, Anthropic `error.type`, Gemini `error.status`).
 * The message is the provider's message, never containing an API key (see `redactSecrets`).
 */
export class UpstreamStatusError extends CircuitBreakerError {
  readonly upstreamStatus: number;
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
  }) {
    super({
      code: options.status === 429 ? 'RATE_LIMITED' : 'UPSTREAM_STATUS',
      status: mapUpstreamStatusToGatewayStatus(options.status),
      message: `${options.provider} returned HTTP ${options.status}: ${options.message}`,
      retryable: options.retryable,
      retryAfterMs: options.retryAfterMs,
      provider: options.provider,
    });
    this.upstreamStatus = options.status;
    this.providerErrorType = options.providerErrorType;
    this.providerErrorCode = options.providerErrorCode;
    this.contextLengthExceeded = options.contextLengthExceeded ?? false;
  }
}

/**
 * Caller errors (400/404/413/422) pass through with their status; upstream trouble becomes a gateway status:
 * 429 stays 429, 401/403 (our key is wrong, not the caller's) and other 4xx/5xx become 502, 503/529 → 503, 504 → 504.
 */
function mapUpstreamStatusToGatewayStatus(status: number): number {
  if (status === 400 || status === 404 || status === 413 || status === 422 || status === 429) return status;
  if (status === 503 || status === 529) return 503;
  if (status === 504 || status === 408) return 504;
  return 502;
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
    super({ code: 'UPSTREAM_MALFORMED', status: 502, retryable: true, provider, cause, message: `${provider}: ${detail}` });
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
