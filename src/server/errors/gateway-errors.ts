import { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';

/**
 * Errors only the HTTP shell produces. Their codes are already in the core's `ErrorCode` list; the classes live here
 * because nothing below the server can be unauthenticated, too large, at the wrong path or on the wrong method.
 */

/** The caller presented no gateway key, or one that is not configured. */
export class AuthenticationError extends CircuitBreakerError {
  constructor(message = 'Missing or invalid API key. Send it as `Authorization: Bearer <key>` or `x-api-key: <key>`.') {
    super({ code: 'AUTHENTICATION', status: 401, message });
  }
}

/** The request body is larger than the gateway accepts (`maxBodyBytes`). */
export class PayloadTooLargeError extends CircuitBreakerError {
  constructor(limitBytes: number) {
    super({
      code: 'PAYLOAD_TOO_LARGE',
      status: 413,
      message: `The request body exceeds the limit of ${limitBytes} bytes.`,
    });
  }
}

/** The path exists but not for this method; `allow` lists the methods it takes (sent as the `allow` header). */
export class MethodNotAllowedError extends CircuitBreakerError {
  readonly allow: readonly string[];

  constructor(method: string, path: string, allow: readonly string[]) {
    super({
      code: 'METHOD_NOT_ALLOWED',
      status: 405,
      message: `${method} is not allowed on ${path}; use ${allow.join(', ')}.`,
    });
    this.allow = allow;
  }
}

/** No route at this path. */
export class RouteNotFoundError extends CircuitBreakerError {
  constructor(path: string) {
    super({ code: 'NOT_FOUND', status: 404, message: `No route at ${path}.` });
  }
}

/** The default reason of `Gateway.abortAll`: the client may retry against another instance. */
export class GatewayShuttingDownError extends CircuitBreakerError {
  constructor() {
    super({
      code: 'CANCELLED',
      status: 503,
      retryable: true,
      message: 'The gateway is shutting down; retry the request.',
    });
  }
}

/** Anything thrown → our error. An unexpected throw is a bug: its message stays in the log, never in a response. */
export function toGatewayError(error: unknown): CircuitBreakerError {
  if (error instanceof CircuitBreakerError) return error;
  return new CircuitBreakerError({ code: 'INTERNAL', status: 500, message: 'Internal server error.', cause: error });
}
