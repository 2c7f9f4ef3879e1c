/** Stable machine-readable error codes; callers and metrics switch on these, never on messages. */
export type ErrorCode =
  | 'INVALID_REQUEST'
  | 'UNSUPPORTED_PARAMETER'
  | 'MODEL_NOT_FOUND'
  | 'PROVIDER_NOT_CONFIGURED'
  | 'CONFIG_INVALID'
  | 'AUTHENTICATION'
  | 'PAYLOAD_TOO_LARGE'
  | 'METHOD_NOT_ALLOWED'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'UPSTREAM_STATUS'
  | 'UPSTREAM_CONNECTION'
  | 'UPSTREAM_STREAM_ERROR'
  | 'UPSTREAM_MALFORMED'
  | 'STREAM_TRUNCATED'
  | 'SSE_EVENT_TOO_LARGE'
  | 'TIMEOUT_CONNECT'
  | 'TIMEOUT_FIRST_TOKEN'
  | 'TIMEOUT_IDLE'
  | 'TOO_SLOW'
  | 'CIRCUIT_OPEN'
  | 'NO_DEPLOYMENT_AVAILABLE'
  | 'CANCELLED'
  | 'STREAM_CANCELLED'
  | 'STREAM_NOT_RESUMABLE'
  | 'TOO_MANY_STREAMS'
  | 'INTERNAL';

export interface CircuitBreakerErrorOptions {
  code: ErrorCode;
  message: string;
  /** HTTP status a gateway should answer with. */
  status: number;
  /** Whether trying again (same or another deployment) may succeed. */
  retryable?: boolean;
  retryAfterMs?: number;
  /** The request field at fault, for validation errors (OpenAI's `param`). */
  param?: string;
  /** Provider (configured provider name) the error came from, when it came from upstream. */
  provider?: string;
  cause?: unknown;
}

/**
 * The one error base: every failure in the project is one of these, classified where it is born, so that
 * retry policies, circuit breakers and the caller-format error mappers read fields instead of guessing.
 */
export class CircuitBreakerError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly param: string | undefined;
  readonly provider: string | undefined;

  constructor(options: CircuitBreakerErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.retryAfterMs = options.retryAfterMs;
    this.param = options.param;
    this.provider = options.provider;
  }

  /** A plain, key-free description for logs and error bodies. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      status: this.status,
      message: this.message,
      retryable: this.retryable,
      retryAfterMs: this.retryAfterMs,
      param: this.param,
      provider: this.provider,
    };
  }
}

/** Type guard that also works across bundle copies of this module. */
export function isCircuitBreakerError(value: unknown): value is CircuitBreakerError {
  return value instanceof CircuitBreakerError;
}
