import { describe, expect, it } from 'vitest';
import type { CircuitBreakerError } from '../errors/circuit-breaker-error.js';
import { TooSlowError } from '../errors/resilience-errors.js';
import { UpstreamTimeoutError } from '../errors/upstream-errors.js';
import type { Clock } from './clock.js';
import { createManualClock } from './create-manual-clock.js';
import { createStreamWatchdog, type StreamWatchdogOptions } from './stream-watchdog.js';

function watch(options: Omit<StreamWatchdogOptions, 'clock' | 'onTimeout'>) {
  const clock = createManualClock(1000);
  const errors: CircuitBreakerError[] = [];
  const watchdog = createStreamWatchdog({ ...options, clock, onTimeout: (error) => errors.push(error) });
  return { clock, errors, watchdog };
}

describe('createStreamWatchdog', () => {
  it('times out connecting until markConnected', () => {
    const { clock, errors } = watch({ connectMs: 5000, firstTokenMs: 30_000 });
    clock.advance(4999);
    expect(errors).toEqual([]);
    clock.advance(1);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(UpstreamTimeoutError);
    expect((errors[0] as UpstreamTimeoutError).kind).toBe('connect');
    clock.advance(60_000);
    expect(errors).toHaveLength(1); // fires once
  });

  it('times out waiting for the first content part, from the start', () => {
    const { clock, errors, watchdog } = watch({ connectMs: 5000, firstTokenMs: 30_000 });
    clock.advance(1000);
    watchdog.markConnected();
    clock.advance(28_999);
    expect(errors).toEqual([]);
    clock.advance(1);
    expect((errors[0] as UpstreamTimeoutError).kind).toBe('first_token');
    expect(errors[0].code).toBe('TIMEOUT_FIRST_TOKEN');
  });

  it('times out on a stall between content parts; each part resets the idle timer', () => {
    const { clock, errors, watchdog } = watch({ firstTokenMs: 30_000, idleMs: 10_000 });
    watchdog.markConnected();
    clock.advance(500);
    watchdog.markContent();
    for (let i = 0; i < 20; i++) {
      clock.advance(9000);
      watchdog.markContent();
    }
    expect(errors).toEqual([]); // 180 s of slow but steady parts, the first-token limit long gone
    clock.advance(10_000);
    expect((errors[0] as UpstreamTimeoutError).kind).toBe('idle');
  });

  it('reports TOO_SLOW when throughput over a probe window falls below the floor', () => {
    const { clock, errors, watchdog } = watch({ minTokensPerSecond: 10, probeWindowMs: 5000, idleMs: 60_000 });
    watchdog.markConnected();
    watchdog.markContent(1);
    // First window: 100 tokens in 5 s = 20/s, fine.
    for (let i = 0; i < 10; i++) {
      clock.advance(500);
      watchdog.markContent(10);
    }
    expect(errors).toEqual([]);
    // Second window: 20 tokens in 5 s = 4/s.
    for (let i = 0; i < 10; i++) {
      clock.advance(500);
      watchdog.markContent(2);
    }
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(TooSlowError);
    expect(errors[0]).toMatchObject({ code: 'TOO_SLOW', retryable: true, minTokensPerSecond: 10 });
  });

  it('stop() cancels everything', () => {
    const { clock, errors, watchdog } = watch({ connectMs: 100, firstTokenMs: 200, idleMs: 300 });
    watchdog.stop();
    watchdog.stop();
    clock.advance(10_000);
    expect(errors).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('enforces nothing it was not given', () => {
    const { clock, errors, watchdog } = watch({});
    watchdog.markContent();
    clock.advance(1_000_000);
    expect(errors).toEqual([]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('markContent does no timer work after the first part', () => {
    const inner = createManualClock();
    let timerCalls = 0;
    const clock: Clock = {
      now: inner.now,
      setTimeout: (callback, ms) => {
        timerCalls++;
        return inner.setTimeout(callback, ms);
      },
      clearTimeout: (handle) => {
        timerCalls++;
        inner.clearTimeout(handle);
      },
    };
    const watchdog = createStreamWatchdog({ clock, firstTokenMs: 1000, idleMs: 1000, minTokensPerSecond: 1 });
    watchdog.markConnected();
    watchdog.markContent();
    const before = timerCalls;
    for (let i = 0; i < 10_000; i++) watchdog.markContent();
    expect(timerCalls).toBe(before);
    watchdog.stop();
  });
});
