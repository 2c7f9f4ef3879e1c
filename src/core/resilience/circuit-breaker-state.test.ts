import { describe, expect, it } from 'vitest';
import { computeCooldownMs, resolveCircuitBreakerConfig } from './circuit-breaker-config.js';
import {
  type BreakerState,
  countWindow,
  createBreakerState,
  isBreakerState,
  recordFailure,
  recordSuccess,
  releaseProbe,
  tryAcquire,
} from './circuit-breaker-state.js';

const config = resolveCircuitBreakerConfig({
  failureThreshold: 5,
  failureRate: 0.5,
  windowMs: 60_000,
  minRequests: 10,
  cooldownMs: 30_000,
  maxCooldownMs: 300_000,
  halfOpenProbes: 1,
});

function fail(state: BreakerState, times: number, now: number, options = {}): BreakerState {
  let s = state;
  for (let i = 0; i < times; i++) s = recordFailure(s, config, now, options).state;
  return s;
}

function succeed(state: BreakerState, times: number, now: number): BreakerState {
  let s = state;
  for (let i = 0; i < times; i++) s = recordSuccess(s, config, now).state;
  return s;
}

/** Opens a fresh breaker by consecutive failures at `now`. */
function opened(now = 0): BreakerState {
  return recordFailure(fail(createBreakerState(), 4, now), config, now).state;
}

describe('closed → open', () => {
  it('opens on the failure_threshold-th consecutive failure, with a transition', () => {
    const four = fail(createBreakerState(), 4, 1000);
    expect(four.state).toBe('closed');
    expect(four.consecutiveFailures).toBe(4);
    const update = recordFailure(four, config, 1000);
    expect(update.state.state).toBe('open');
    expect(update.state.openUntil).toBe(31_000);
    expect(update.transition).toEqual({
      to: 'open',
      from: 'closed',
      reason: 'consecutive-failures',
      cooldownMs: 30_000,
      openUntil: 31_000,
      openCount: 1,
    });
  });

  it('a success resets the consecutive count', () => {
    const state = fail(succeed(fail(createBreakerState(), 4, 0), 1, 0), 4, 0);
    expect(state.state).toBe('closed');
    expect(state.consecutiveFailures).toBe(4);
  });

  it('opens on the failure rate once the window holds min_requests', () => {
    // Alternate so the consecutive count never reaches 5: 4 successes + 4 failures = 8 requests, below min 10.
    let state = createBreakerState();
    for (let i = 0; i < 4; i++)
      state = recordFailure(recordSuccess(state, config, i * 1000).state, config, i * 1000).state;
    expect(state.state).toBe('closed');
    expect(countWindow(state, config, 4000)).toEqual({ requests: 8, failures: 4 });
    state = recordSuccess(state, config, 5000).state; // 9 requests, 4 failures
    const update = recordFailure(state, config, 5000); // 10 requests, 5 failures = 50 %
    expect(update.state.state).toBe('open');
    expect(update.transition).toMatchObject({ to: 'open', reason: 'failure-rate' });
  });

  it('does not open on a rate below failure_rate', () => {
    let state = succeed(createBreakerState(), 7, 0);
    state = fail(state, 3, 0); // 30 %
    state = succeed(state, 1, 0);
    expect(state.state).toBe('closed');
  });

  it('forgets outcomes that left the window', () => {
    let state = fail(succeed(createBreakerState(), 5, 0), 4, 0); // 9 requests at t=0
    state = succeed(state, 1, 0);
    // 70 s later the old 10 are gone: one new failure is 1 of 1 request, below min_requests.
    state = recordFailure(state, config, 70_000).state;
    expect(countWindow(state, config, 70_000)).toEqual({ requests: 1, failures: 1 });
    expect(state.state).toBe('closed');
    expect(state.window.length).toBeLessThanOrEqual(config.windowBuckets);
  });

  it('keeps the window to at most windowBuckets buckets however long it runs', () => {
    let state = createBreakerState();
    for (let t = 0; t < 600_000; t += 500) state = recordSuccess(state, config, t).state;
    expect(state.window.length).toBeLessThanOrEqual(config.windowBuckets);
  });
});

describe('open → half-open → closed / open', () => {
  it('refuses during the cooldown, with the time left', () => {
    const state = opened(0);
    const decision = tryAcquire(state, config, 10_000);
    expect(decision).toMatchObject({ allowed: false, probe: false, retryAfterMs: 20_000 });
    expect(decision.state).toBe(state);
  });

  it('turns half-open after the cooldown and admits half_open_probes probes', () => {
    const first = tryAcquire(opened(0), config, 30_000);
    expect(first).toMatchObject({ allowed: true, probe: true, transition: { to: 'half-open', from: 'open' } });
    expect(first.state).toMatchObject({ state: 'half-open', halfOpenInFlight: 1 });
    const second = tryAcquire(first.state, config, 30_001);
    expect(second.allowed).toBe(false);

    const twoProbes = { ...config, halfOpenProbes: 2 };
    const a = tryAcquire(opened(0), twoProbes, 30_000);
    const b = tryAcquire(a.state, twoProbes, 30_000);
    const c = tryAcquire(b.state, twoProbes, 30_000);
    expect([a.allowed, b.allowed, c.allowed]).toEqual([true, true, false]);
  });

  it('a released probe frees its slot without deciding', () => {
    const probing = tryAcquire(opened(0), config, 30_000).state;
    const released = releaseProbe(probing, 30_500);
    expect(released.transition).toBeUndefined();
    expect(released.state).toMatchObject({ state: 'half-open', halfOpenInFlight: 0 });
    expect(tryAcquire(released.state, config, 30_600).allowed).toBe(true);
  });

  it('gives a stuck probe slot away after probeTimeoutMs', () => {
    const probing = tryAcquire(opened(0), config, 30_000).state;
    expect(tryAcquire(probing, config, 30_000 + config.probeTimeoutMs - 1).allowed).toBe(false);
    expect(tryAcquire(probing, config, 30_000 + config.probeTimeoutMs).allowed).toBe(true);
  });

  it('a half-open success closes and resets everything', () => {
    const probing = tryAcquire(opened(0), config, 30_000).state;
    const update = recordSuccess(probing, config, 31_000);
    expect(update.transition).toEqual({ to: 'closed', from: 'half-open' });
    expect(update.state).toEqual(createBreakerState(31_000));
  });

  it('a half-open failure re-opens with a doubled cooldown, capped at max_cooldown_ms', () => {
    let state = opened(0);
    let now = 0;
    const cooldowns: number[] = [];
    for (let i = 0; i < 6; i++) {
      now = state.openUntil!;
      state = tryAcquire(state, config, now).state;
      const update = recordFailure(state, config, now);
      expect(update.transition).toMatchObject({ to: 'open', from: 'half-open', reason: 'probe-failed' });
      state = update.state;
      cooldowns.push(state.openUntil! - now);
    }
    expect(cooldowns).toEqual([60_000, 120_000, 240_000, 300_000, 300_000, 300_000]);
    expect(state.openCount).toBe(7);
    // Closing resets the backoff.
    state = recordSuccess(tryAcquire(state, config, state.openUntil!).state, config, state.openUntil!).state;
    expect(state.openCount).toBe(0);
    expect(recordFailure(fail(state, 4, now), config, now).transition).toMatchObject({ cooldownMs: 30_000 });
  });

  it("a provider's retry-after lengthens the cooldown, up to max_cooldown_ms", () => {
    const four = fail(createBreakerState(), 4, 0);
    expect(recordFailure(four, config, 0, { retryAfterMs: 90_000 }).state.openUntil).toBe(90_000);
    expect(recordFailure(four, config, 0, { retryAfterMs: 5_000 }).state.openUntil).toBe(30_000);
    expect(recordFailure(four, config, 0, { retryAfterMs: 3_600_000 }).state.openUntil).toBe(300_000);
    expect(computeCooldownMs(config, 1, 45_000)).toBe(45_000);
  });

  it('a failure while open only ever lengthens the cooldown', () => {
    const state = opened(0);
    expect(recordFailure(state, config, 1000).state).toBe(state);
    expect(recordFailure(state, config, 1000, { retryAfterMs: 10_000 }).state).toBe(state);
    expect(recordFailure(state, config, 1000, { retryAfterMs: 60_000 }).state.openUntil).toBe(61_000);
    expect(recordFailure(state, config, 1000, { misconfigured: true }).state.openUntil).toBe(301_000);
  });

  it('a success while open changes nothing', () => {
    const state = opened(0);
    expect(recordSuccess(state, config, 1000).state).toBe(state);
  });
});

describe('misconfigured', () => {
  it('opens at once with max_cooldown_ms, from closed or half-open', () => {
    const update = recordFailure(createBreakerState(), config, 0, { misconfigured: true });
    expect(update.transition).toMatchObject({ to: 'open', reason: 'misconfigured', cooldownMs: 300_000 });
    const probing = tryAcquire(opened(0), config, 30_000).state;
    expect(recordFailure(probing, config, 30_000, { misconfigured: true }).state.openUntil).toBe(330_000);
  });
});

describe('serialization', () => {
  it('round-trips through JSON exactly and validates', () => {
    const states = [
      createBreakerState(),
      opened(5),
      tryAcquire(opened(0), config, 30_000).state,
      fail(createBreakerState(), 3, 7),
    ];
    for (const state of states) {
      const copy = JSON.parse(JSON.stringify(state));
      expect(copy).toEqual(state);
      expect(isBreakerState(copy)).toBe(true);
    }
    expect(isBreakerState({ ...createBreakerState(), state: 'ajar' })).toBe(false);
    expect(isBreakerState(null)).toBe(false);
  });

  it('never mutates its input', () => {
    const state = fail(createBreakerState(), 4, 0);
    const frozen = JSON.parse(JSON.stringify(state));
    recordFailure(state, config, 0);
    recordSuccess(state, config, 0);
    expect(state).toEqual(frozen);
  });
});
