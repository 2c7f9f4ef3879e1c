import { CircuitBreakerError } from './circuit-breaker-error.js';

/**
 * The deployment's circuit is open: we fail fast instead of calling an upstream that is known to be failing.
 * Retryable (another deployment, or this one after `retryAfterMs`).
 */
export class CircuitOpenError extends CircuitBreakerError {
  /** The deployment key whose circuit is open. */
  readonly deployment: string;

  constructor(options: { deployment: string; retryAfterMs?: number; provider?: string }) {
    super({
      code: 'CIRCUIT_OPEN',
      status: 503,
      retryable: true,
      retryAfterMs: options.retryAfterMs,
      provider: options.provider,
      message: `The circuit for deployment '${options.deployment}' is open${
        options.retryAfterMs === undefined ? '' : `; retry in ${Math.ceil(options.retryAfterMs)} ms`
      }`,
    });
    this.deployment = options.deployment;
  }
}

/**
 * Every candidate deployment for a model failed or was skipped. `cause` is the last underlying error (what the
 * caller most likely wants to see), `errors` all of them in order, and `retryAfterMs` the longest wait any of
 * them asked for, so a client backing off does not come back before the slowest deployment is ready.
 */
export class NoDeploymentAvailableError extends CircuitBreakerError {
  readonly errors: readonly unknown[];

  constructor(options: { model: string; errors: readonly unknown[]; message?: string }) {
    const last = options.errors.at(-1);
    super({
      code: 'NO_DEPLOYMENT_AVAILABLE',
      status: 503,
      // If the last failure is one that retrying cannot fix (a misconfigured key), say so.
      retryable: last instanceof CircuitBreakerError ? last.retryable : true,
      retryAfterMs: maxRetryAfterMs(options.errors),
      provider: last instanceof CircuitBreakerError ? last.provider : undefined,
      cause: last,
      message:
        options.message ??
        `No deployment of '${options.model}' is available${
          last instanceof Error ? `; last error: ${last.message}` : ''
        }`,
    });
    this.errors = options.errors;
  }
}

/**
 * The stream produces content, but slower than the deployment's `min_tokens_per_s` floor: a degraded upstream
 * that is worth abandoning for a faster deployment. Retryable.
 */
export class TooSlowError extends CircuitBreakerError {
  readonly tokensPerSecond: number;
  readonly minTokensPerSecond: number;

  constructor(options: { tokensPerSecond: number; minTokensPerSecond: number; provider?: string }) {
    super({
      code: 'TOO_SLOW',
      status: 504,
      retryable: true,
      provider: options.provider,
      message: `Upstream produced ${options.tokensPerSecond.toFixed(1)} tokens/s, below the floor of ${
        options.minTokensPerSecond
      } tokens/s${options.provider ? ` (${options.provider})` : ''}`,
    });
    this.tokensPerSecond = options.tokensPerSecond;
    this.minTokensPerSecond = options.minTokensPerSecond;
  }
}

function maxRetryAfterMs(errors: readonly unknown[]): number | undefined {
  let max: number | undefined;
  for (const error of errors) {
    if (error instanceof CircuitBreakerError && error.retryAfterMs !== undefined) {
      max = max === undefined ? error.retryAfterMs : Math.max(max, error.retryAfterMs);
    }
  }
  return max;
}
