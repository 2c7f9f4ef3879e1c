import type { AbortSignalLike } from './abort-signal-like.js';
import type { Clock } from './clock.js';

/** Mirrors the YAML `retry` block (`attempts`, `base_delay_ms`, `max_delay_ms`). */
export interface RetryConfig {
  /** Retries after the first try, per deployment. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The documented defaults (`retry:` in the config reference). */
export const defaultRetryConfig: Readonly<RetryConfig> = Object.freeze({
  attempts: 2,
  baseDelayMs: 200,
  maxDelayMs: 5000,
});

/** Wait `delayMs` then retry the same deployment, or move on to the next one now. */
export type RetryDelay = { moveOn: false; delayMs: number } | { moveOn: true };

/**
 * The wait before retry number `attempt` (1 = the first retry): exponential with full jitter, a uniform draw
 * in [0, min(maxDelayMs, baseDelayMs × 2^(attempt−1))), so retrying gateways spread out instead of stampeding.
 * A provider's retry-after is honoured as a floor; one longer than `maxDelayMs` means waiting is worse than
 * trying another deployment, so the answer is to move on.
 * @see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function computeRetryDelay(options: {
  attempt: number;
  baseDelayMs: number;
  maxDelayMs: number;
  retryAfterMs?: number;
  random?: () => number;
}): RetryDelay {
  const { retryAfterMs, maxDelayMs } = options;
  if (retryAfterMs !== undefined && retryAfterMs > maxDelayMs) return { moveOn: true };
  const ceiling = Math.min(maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, options.attempt - 1));
  const jittered = Math.floor((options.random ?? Math.random)() * ceiling);
  return { moveOn: false, delayMs: Math.max(jittered, retryAfterMs ?? 0) };
}

/**
 * Resolves after `ms` on the given clock; rejects with the signal's reason as soon as it aborts (and at once
 * if it already has), clearing the timer, so a cancelled request never waits out a backoff.
 */
export function sleep(ms: number, options: { signal?: AbortSignalLike; clock: Clock }): Promise<void> {
  const { signal, clock } = options;
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clock.clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
