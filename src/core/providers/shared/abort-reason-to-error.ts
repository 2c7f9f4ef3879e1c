import { CircuitBreakerError } from '../../errors/circuit-breaker-error.js';
import { CancelledError } from '../../errors/request-errors.js';

/**
 * An aborted signal's reason as our error: a policy that aborts (timeout, hedge loser) passes its own typed
 * error as the reason, so it survives the trip through fetch; anything else is a cancellation.
 */
export function abortReasonToError(reason: unknown): CircuitBreakerError {
  if (reason instanceof CircuitBreakerError) return reason;
  return new CancelledError('The request was cancelled.', reason);
}
