import { CircuitBreakerError } from './circuit-breaker-error.js';

/** The caller's request is malformed; `param` names the field. Never retried. */
export class InvalidRequestError extends CircuitBreakerError {
  constructor(message: string, options: { param?: string; cause?: unknown } = {}) {
    super({ code: 'INVALID_REQUEST', status: 400, message, ...options });
  }
}

/** A parameter the chosen provider cannot honour and that we will not silently drop. */
export class UnsupportedParameterError extends CircuitBreakerError {
  constructor(options: { param: string; provider?: string; message: string }) {
    super({ code: 'UNSUPPORTED_PARAMETER', status: 400, ...options });
  }
}

/** No provider or configured model matches the requested model name. */
export class ModelNotFoundError extends CircuitBreakerError {
  constructor(model: string, hint?: string) {
    super({
      code: 'MODEL_NOT_FOUND',
      status: 404,
      param: 'model',
      message: `The model '${model}' does not exist or is not routable.${hint ? ` ${hint}` : ''}`,
    });
  }
}

/** The model maps to a provider that has no credentials or is not configured. */
export class ProviderNotConfiguredError extends CircuitBreakerError {
  constructor(provider: string, hint: string) {
    super({
      code: 'PROVIDER_NOT_CONFIGURED',
      status: 404,
      param: 'model',
      provider,
      message: `Provider '${provider}' is not configured. ${hint}`,
    });
  }
}

/** The router or gateway configuration is invalid. */
export class ConfigError extends CircuitBreakerError {
  constructor(message: string, options: { param?: string; cause?: unknown } = {}) {
    super({ code: 'CONFIG_INVALID', status: 500, message, ...options });
  }
}

/**
 * The caller aborted (signal, `break` out of the loop, client disconnect, session cancel). Built without a stack
 * trace: a cancellation is an expected outcome, not a fault, and its stack would only point inside the router. A
 * disconnect builds two and Node formats the stack of each when it destroys a socket with it (`err.stack` in
 * `destroy`): ~0.1 ms of CPU per cut stream at the moment the upstream must be reached (engines without V8's
 * `Error.stackTraceLimit` ignore the setting).
 */
export class CancelledError extends CircuitBreakerError {
  constructor(message = 'The request was cancelled.', cause?: unknown) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      super({ code: 'CANCELLED', status: 499, message, cause });
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }
}
