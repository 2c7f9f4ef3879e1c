import { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';

/** Which limit a key hit. */
export type KeyLimitKind = 'requests_per_minute' | 'tokens_per_minute' | 'budget_usd';

/**
 * A gateway key is over one of its configured limits: a 429 with `retry-after` (set by the error mappers from
 * `retryAfterMs`), in the caller's format like every other error.
 */
export class KeyLimitError extends CircuitBreakerError {
  readonly limit: KeyLimitKind;

  constructor(limit: KeyLimitKind, retryAfterMs: number, message: string) {
    super({ code: 'RATE_LIMITED', status: 429, retryable: true, retryAfterMs, message });
    this.limit = limit;
  }
}
