import { describe, expect, it } from 'vitest';
import { CancelledError, InvalidRequestError } from '../errors/request-errors.js';
import { CircuitOpenError } from '../errors/resilience-errors.js';
import { UpstreamStatusError } from '../errors/upstream-errors.js';
import { createCircuitBreakerRegistry } from './create-circuit-breaker-registry.js';
import { createManualClock } from './create-manual-clock.js';
import { composePolicies, createCircuitBreakerPolicy, createRetryPolicy } from './policy.js';

const overloaded = (retryAfterMs?: number) =>
  new UpstreamStatusError({ provider: 'p', status: 529, message: 'overloaded', retryable: true, retryAfterMs });

/** Runs the promise while advancing the manual clock in steps until it settles. */
async function drive<T>(clock: ReturnType<typeof createManualClock>, promise: Promise<T>): Promise<T> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < 1000 && !settled; i++) {
    await Promise.resolve();
    clock.advance(100);
  }
  return promise;
}

describe('createRetryPolicy', () => {
  it('retries transient failures with backoff, then succeeds', async () => {
    const clock = createManualClock();
    const retry = createRetryPolicy({ attempts: 2, baseDelayMs: 200, maxDelayMs: 5000, clock, random: () => 0.5 });
    const delays: number[] = [];
    retry.on('retry', (event) => delays.push(event.delayMs));
    let calls = 0;
    const result = await drive(
      clock,
      retry.execute(async () => {
        calls++;
        if (calls < 3) throw overloaded();
        return 'ok';
      }),
    );
    expect(result).toBe('ok');
    expect(delays).toEqual([100, 200]);
  });

  it('gives up after attempts, and at once on caller errors or a long retry-after', async () => {
    const clock = createManualClock();
    const retry = createRetryPolicy({ attempts: 2, baseDelayMs: 10, maxDelayMs: 1000, clock, random: () => 0 });
    let calls = 0;
    await expect(
      drive(
        clock,
        retry.execute(async () => {
          calls++;
          throw overloaded();
        }),
      ),
    ).rejects.toThrow(UpstreamStatusError);
    expect(calls).toBe(3);

    for (const error of [new InvalidRequestError('bad'), new CancelledError(), overloaded(60_000)]) {
      calls = 0;
      await expect(
        retry.execute(async () => {
          calls++;
          throw error;
        }),
      ).rejects.toBe(error);
      expect(calls).toBe(1);
    }
  });

  it('stops waiting when the signal aborts', async () => {
    const clock = createManualClock();
    const retry = createRetryPolicy({ attempts: 5, baseDelayMs: 1000, maxDelayMs: 1000, clock, random: () => 0.9 });
    const controller = new AbortController();
    const running = retry.execute(
      async () => {
        throw overloaded();
      },
      { signal: controller.signal },
    );
    await Promise.resolve();
    const reason = new CancelledError();
    controller.abort(reason);
    await expect(running).rejects.toBe(reason);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('composePolicies', () => {
  it('retry around a breaker: the breaker counts each attempt and then refuses', async () => {
    const clock = createManualClock();
    const registry = createCircuitBreakerRegistry({ clock, config: { failureThreshold: 2 } });
    const policy = composePolicies(
      createRetryPolicy({ attempts: 3, baseDelayMs: 1, maxDelayMs: 10, clock, random: () => 0 }),
      createCircuitBreakerPolicy({ registry, deployment: 'a' }),
    );
    let calls = 0;
    const outcome = drive(
      clock,
      policy.execute(async () => {
        calls++;
        throw overloaded();
      }),
    );
    // Two failures open the circuit; the third attempt is refused, and CIRCUIT_OPEN is not retried in place.
    // (random 0 with a 1 ms base: all delays are 0, so no timer is needed.)
    await expect(outcome).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(2);
  });

  it('passes the signal through every layer', async () => {
    const registry = createCircuitBreakerRegistry({ clock: createManualClock() });
    const policy = composePolicies(
      createRetryPolicy({ attempts: 0, baseDelayMs: 1, maxDelayMs: 1 }),
      createCircuitBreakerPolicy({ registry, deployment: 'a' }),
    );
    const controller = new AbortController();
    const seen = await policy.execute(async ({ signal }) => signal, { signal: controller.signal });
    expect(seen).toBe(controller.signal);
  });
});
