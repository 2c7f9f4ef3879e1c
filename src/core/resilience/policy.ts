import { CircuitBreakerError } from '../errors/circuit-breaker-error.js';
import { computeRetryDelay, type RetryConfig, sleep } from './backoff.js';
import { classifyFailure } from './classify-failure.js';
import { type Clock, systemClock } from './clock.js';
import type { CircuitBreakerRegistry } from './create-circuit-breaker-registry.js';
import { createEventEmitter, type EventSource } from './create-event-emitter.js';

/** What a policy hands the function it runs. */
export interface PolicyContext {
  signal: AbortSignal;
}

/**
 * The one shape every resilience policy has (STYLE rule 6): run `fn` under the policy, honouring `signal`.
 * Policies nest with {@link composePolicies}.
 * @see https://github.com/connor4312/cockatiel/blob/master/src/Policy.ts
 */
export interface Policy {
  execute<T>(fn: (context: PolicyContext) => Promise<T>, options?: { signal?: AbortSignal }): Promise<T>;
}

/** Events of {@link createRetryPolicy}. */
export interface RetryPolicyEvents {
  retry: { attempt: number; delayMs: number; error: unknown };
}

/**
 * Retries transient, retryable failures up to `attempts` times with full-jitter backoff; gives up at once on
 * anything else, and when a retry-after is longer than `maxDelayMs` (better to move to another deployment).
 */
export function createRetryPolicy(
  options: RetryConfig & { clock?: Clock; random?: () => number },
): Policy & EventSource<RetryPolicyEvents> {
  const clock = options.clock ?? systemClock;
  const events = createEventEmitter<RetryPolicyEvents>();
  return {
    on: events.on,
    async execute(fn, executeOptions = {}) {
      const signal = executeOptions.signal ?? new AbortController().signal;
      for (let attempt = 0; ; attempt++) {
        signal.throwIfAborted();
        try {
          return await fn({ signal });
        } catch (error) {
          if (attempt >= options.attempts || !isRetryable(error) || signal.aborted) throw error;
          const delay = computeRetryDelay({
            attempt: attempt + 1,
            baseDelayMs: options.baseDelayMs,
            maxDelayMs: options.maxDelayMs,
            retryAfterMs: error instanceof CircuitBreakerError ? error.retryAfterMs : undefined,
            random: options.random,
          });
          if (delay.moveOn) throw error;
          events.emit('retry', { attempt: attempt + 1, delayMs: delay.delayMs, error });
          await sleep(delay.delayMs, { signal, clock });
        }
      }
    },
  };
}

/**
 * Runs `fn` through one deployment's breaker: refuses with `CircuitOpenError` while open, and records the
 * outcome when `fn` settles. For a streamed response whose outcome is only known at the stream's end, use
 * `registry.acquire` and the permit directly instead.
 */
export function createCircuitBreakerPolicy(options: { registry: CircuitBreakerRegistry; deployment: string }): Policy {
  return {
    async execute(fn, executeOptions = {}) {
      const permit = options.registry.acquire(options.deployment);
      if (!permit.allowed) throw permit.error;
      try {
        const result = await fn({ signal: executeOptions.signal ?? new AbortController().signal });
        permit.success();
        return result;
      } catch (error) {
        permit.failure(error);
        throw error;
      }
    },
  };
}

/** Nests policies, outermost first: `composePolicies(retry, breaker)` retries calls that go through the breaker. */
export function composePolicies(...policies: Policy[]): Policy {
  return {
    execute(fn, options) {
      const run = (index: number, context: { signal?: AbortSignal }): ReturnType<typeof fn> =>
        index === policies.length
          ? fn({ signal: context.signal ?? new AbortController().signal })
          : policies[index].execute((inner) => run(index + 1, inner), context);
      return run(0, options ?? {});
    },
  };
}

function isRetryable(error: unknown): boolean {
  if (classifyFailure(error) !== 'transient') return false;
  // Waiting out an open circuit in place is the router's call (it moves on to the next deployment instead).
  if (error instanceof CircuitBreakerError && error.code === 'CIRCUIT_OPEN') return false;
  return error instanceof CircuitBreakerError ? error.retryable : true;
}
