import { CircuitBreakerError } from '../errors/circuit-breaker-error.js';
import { UpstreamStatusError } from '../errors/upstream-errors.js';
import { assertNever } from '../types/stream-part.js';

/**
 * What a failed attempt means for routing:
 * - `caller`: the request itself is at fault (400/404 upstream, our own validation). Not a deployment failure,
 *   not retried, returned to the caller as is.
 * - `transient`: the deployment is unhealthy right now (connection, timeouts, 5xx, 429, 529, in-stream errors,
 *   truncation, stalls, too slow). Counts against the breaker; retry or move on.
 * - `misconfigured`: our key for that deployment is wrong or lacks permission (401/403). Opens the breaker at
 *   once with the longest cooldown; move on.
 * - `context_length`: the prompt does not fit this model; move on to `context_window_fallbacks`. The deployment
 *   answered correctly, so it is not a failure.
 * - `cancelled`: the caller went away. Neither success nor failure.
 */
export type FailureClass = 'caller' | 'transient' | 'misconfigured' | 'context_length' | 'cancelled';

/**
 * Classifies any thrown value. Works on the fields our errors carry (`kind`, `code`), never on messages.
 * Anything unknown is `transient`: a deployment that throws something unexpected should not keep getting traffic.
 */
export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof UpstreamStatusError) {
    switch (error.kind) {
      case 'authentication':
        return 'misconfigured';
      case 'invalid_request':
      case 'not_found':
        return 'caller';
      case 'context_length':
        return 'context_length';
      case 'rate_limit':
      case 'overloaded':
      case 'server':
        return 'transient';
      default:
        return assertNever(error.kind);
    }
  }
  if (error instanceof CircuitBreakerError) {
    switch (error.code) {
      case 'CANCELLED':
        return 'cancelled';
      case 'INVALID_REQUEST':
      case 'UNSUPPORTED_PARAMETER':
      case 'MODEL_NOT_FOUND':
      case 'PAYLOAD_TOO_LARGE':
      case 'METHOD_NOT_ALLOWED':
      case 'NOT_FOUND':
      // `AUTHENTICATION` is the caller's gateway key; our upstream keys fail as UpstreamStatusError above.
      case 'AUTHENTICATION':
        return 'caller';
      case 'PROVIDER_NOT_CONFIGURED':
      case 'CONFIG_INVALID':
        return 'misconfigured';
      default:
        return 'transient';
    }
  }
  // A bare AbortError means the signal was aborted without one of our typed reasons: the caller cancelled.
  if (error instanceof Error && error.name === 'AbortError') return 'cancelled';
  return 'transient';
}

/** True for the classes that count against a deployment's circuit breaker. */
export function isDeploymentFailure(failureClass: FailureClass): boolean {
  return failureClass === 'transient' || failureClass === 'misconfigured';
}
