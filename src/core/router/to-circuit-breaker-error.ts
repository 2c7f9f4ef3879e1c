import { CircuitBreakerError } from '../errors/circuit-breaker-error.js';

/** Anything thrown → our error; an unexpected throw is an internal error (and a bug to fix). */
export function toCircuitBreakerError(error: unknown): CircuitBreakerError {
  if (error instanceof CircuitBreakerError) return error;
  return new CircuitBreakerError({
    code: 'INTERNAL',
    status: 500,
    message: error instanceof Error ? error.message : String(error),
    cause: error,
  });
}
