import { describe, expect, it } from 'vitest';
import { CancelledError, InvalidRequestError } from '../errors/request-errors.js';
import { CircuitOpenError, NoDeploymentAvailableError } from '../errors/resilience-errors.js';
import { UpstreamStatusError } from '../errors/upstream-errors.js';
import { createMemoryStateStore } from '../state/memory-state-store.js';
import type { StateChange } from '../state/state-store.js';
import { type CircuitBreakerEvents, createCircuitBreakerRegistry } from './create-circuit-breaker-registry.js';
import { createManualClock } from './create-manual-clock.js';

const serverError = (retryAfterMs?: number) =>
  new UpstreamStatusError({ provider: 'p', status: 500, message: 'boom', retryable: true, retryAfterMs });

function setup() {
  const clock = createManualClock(1_000_000);
  const store = createMemoryStateStore();
  const registry = createCircuitBreakerRegistry({
    store,
    clock,
    config: { failureThreshold: 3, cooldownMs: 10_000, maxCooldownMs: 100_000 },
  });
  const events: Array<{ name: keyof CircuitBreakerEvents; deployment: string }> = [];
  for (const name of ['circuit-open', 'circuit-half-open', 'circuit-close'] as const) {
    registry.on(name, (event) => events.push({ name, deployment: event.deployment }));
  }
  return { clock, store, registry, events };
}

function failTimes(registry: ReturnType<typeof setup>['registry'], deployment: string, times: number) {
  for (let i = 0; i < times; i++) {
    const permit = registry.acquire(deployment);
    if (permit.allowed) permit.failure(serverError());
  }
}

describe('createCircuitBreakerRegistry', () => {
  it('opens after the threshold, refuses with CircuitOpenError, and emits circuit-open once', () => {
    const { registry, events } = setup();
    failTimes(registry, 'a', 3);
    expect(events).toEqual([{ name: 'circuit-open', deployment: 'a' }]);
    const denied = registry.acquire('a');
    expect(denied.allowed).toBe(false);
    if (denied.allowed) return;
    expect(denied.error).toBeInstanceOf(CircuitOpenError);
    expect(denied.retryAfterMs).toBe(10_000);
    // Other deployments are independent.
    expect(registry.acquire('b').allowed).toBe(true);
  });

  it('runs open → half-open → closed with events, on the injected clock', () => {
    const { registry, events, clock } = setup();
    failTimes(registry, 'a', 3);
    clock.advance(10_000);
    const probe = registry.acquire('a');
    expect(probe).toMatchObject({ allowed: true, probe: true });
    expect(registry.acquire('a').allowed).toBe(false); // one probe at a time
    if (probe.allowed) probe.success();
    expect(events.map((e) => e.name)).toEqual(['circuit-open', 'circuit-half-open', 'circuit-close']);
    expect(registry.getState('a')?.state).toBe('closed');
  });

  it('a failed probe re-opens with a doubled cooldown', () => {
    const { registry, clock } = setup();
    failTimes(registry, 'a', 3);
    clock.advance(10_000);
    const probe = registry.acquire('a');
    if (probe.allowed) probe.failure(serverError());
    expect(registry.snapshot()[0]).toMatchObject({
      deployment: 'a',
      state: 'open',
      retryAfterMs: 20_000,
      openCount: 2,
    });
  });

  it('uses the error retry-after for the cooldown', () => {
    const { registry } = setup();
    failTimes(registry, 'a', 2);
    const permit = registry.acquire('a');
    if (permit.allowed) permit.failure(serverError(45_000));
    expect(registry.snapshot()[0].retryAfterMs).toBe(45_000);
  });

  it('a 401 opens at once for max_cooldown_ms and is reported as misconfigured', () => {
    const { registry, events } = setup();
    const permit = registry.acquire('a');
    const unauthorised = new UpstreamStatusError({ provider: 'p', status: 401, message: 'key', retryable: false });
    expect(permit.allowed && permit.failure(unauthorised)).toBe('misconfigured');
    expect(events).toEqual([{ name: 'circuit-open', deployment: 'a' }]);
    expect(registry.snapshot()[0].retryAfterMs).toBe(100_000);
  });

  it('caller errors, context-length misses and cancellations do not count', () => {
    const { registry } = setup();
    const contextLength = new UpstreamStatusError({
      provider: 'p',
      status: 400,
      message: 'too long',
      retryable: false,
      contextLengthExceeded: true,
    });
    for (let i = 0; i < 5; i++) {
      for (const error of [new InvalidRequestError('bad'), new CancelledError(), contextLength]) {
        registry.onFailure('a', error);
      }
    }
    expect(registry.getState('a')).toBeUndefined();
    expect(registry.acquire('a').allowed).toBe(true);
  });

  it('a cancelled probe frees its slot without deciding', () => {
    const { registry, clock, events } = setup();
    failTimes(registry, 'a', 3);
    clock.advance(10_000);
    const probe = registry.acquire('a');
    expect(probe.allowed && probe.failure(new CancelledError())).toBe('cancelled');
    expect(registry.getState('a')).toMatchObject({ state: 'half-open', halfOpenInFlight: 0 });
    const next = registry.acquire('a');
    expect(next).toMatchObject({ allowed: true, probe: true });
    expect(events.map((e) => e.name)).toEqual(['circuit-open', 'circuit-half-open']);
  });

  it('settles a permit once', () => {
    const { registry } = setup();
    const permit = registry.acquire('a');
    if (!permit.allowed) throw new Error('expected a permit');
    permit.failure(serverError());
    permit.failure(serverError());
    permit.success();
    expect(registry.getState('a')?.consecutiveFailures).toBe(1);
  });

  it('keeps its state in the store, where another registry (another instance) sees it', () => {
    const { registry, store, clock } = setup();
    const changes: StateChange[] = [];
    store.subscribe?.((change) => changes.push(change));
    failTimes(registry, 'a', 3);
    const other = createCircuitBreakerRegistry({ store, clock, config: { failureThreshold: 3, cooldownMs: 10_000 } });
    expect(other.acquire('a').allowed).toBe(false);
    expect(changes.at(-1)).toMatchObject({ kind: 'breaker', key: 'a', source: 'local', state: { state: 'open' } });
  });

  it('does not write on the closed fast path', () => {
    const { registry, store } = setup();
    registry.acquire('a');
    const writes: StateChange[] = [];
    store.subscribe?.((change) => writes.push(change));
    for (let i = 0; i < 10; i++) registry.acquire('a');
    expect(writes).toEqual([]);
  });
});

describe('NoDeploymentAvailableError', () => {
  it('carries the last error as cause and the longest retry-after', () => {
    const errors = [
      new CircuitOpenError({ deployment: 'a', retryAfterMs: 5000 }),
      serverError(20_000),
      new CircuitOpenError({ deployment: 'c', retryAfterMs: 1000 }),
    ];
    const error = new NoDeploymentAvailableError({ model: 'gpt-4o', errors });
    expect(error).toMatchObject({
      code: 'NO_DEPLOYMENT_AVAILABLE',
      status: 503,
      retryAfterMs: 20_000,
      retryable: true,
    });
    expect(error.cause).toBe(errors[2]);
    expect(error.errors).toBe(errors);
  });
});

describe('our own refusals', () => {
  it('a CircuitOpenError reported as a failure is not counted', () => {
    const { registry } = setup();
    for (let i = 0; i < 5; i++) registry.onFailure('a', new CircuitOpenError({ deployment: 'b' }));
    expect(registry.getState('a')).toBeUndefined();
  });
});
