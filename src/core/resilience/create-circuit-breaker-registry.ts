import { CircuitBreakerError } from '../errors/circuit-breaker-error.js';
import { CircuitOpenError } from '../errors/resilience-errors.js';
import { createMemoryStateStore } from '../state/memory-state-store.js';
import type { StateStore } from '../state/state-store.js';
import { type CircuitBreakerConfig, resolveCircuitBreakerConfig } from './circuit-breaker-config.js';
import {
  type BreakerState,
  type BreakerTransition,
  type BreakerUpdate,
  type CircuitStatus,
  countWindow,
  createBreakerState,
  type OpenReason,
  recordFailure,
  recordSuccess,
  releaseProbe,
  tryAcquire,
} from './circuit-breaker-state.js';
import { classifyFailure, type FailureClass } from './classify-failure.js';
import { type Clock, systemClock } from './clock.js';
import { createEventEmitter, type EventSource } from './create-event-emitter.js';

/** The events a breaker registry emits; metrics and logs subscribe with `on`. */
export interface CircuitBreakerEvents {
  'circuit-open': {
    deployment: string;
    from: CircuitStatus;
    reason: OpenReason;
    cooldownMs: number;
    openUntil: number;
    openCount: number;
    /** The failure that tipped it. */
    error: unknown;
  };
  'circuit-half-open': { deployment: string };
  'circuit-close': { deployment: string; from: CircuitStatus };
}

/** An admitted request: report its outcome once through these (later calls are ignored). */
export interface GrantedPermit {
  allowed: true;
  deployment: string;
  /** A half-open probe: its outcome decides whether the circuit closes. */
  probe: boolean;
  success(): void;
  /** Records the failure if it counts against the deployment; returns its class so the caller knows what next. */
  failure(error: unknown): FailureClass;
  /** Ends the request with no verdict (e.g. it was never sent); frees a probe slot. */
  release(): void;
}

/** A refused request: the circuit is open (or its probes are all out). */
export interface DeniedPermit {
  allowed: false;
  deployment: string;
  error: CircuitOpenError;
  retryAfterMs: number;
}

export type BreakerPermit = GrantedPermit | DeniedPermit;

/** One deployment's breaker as `GET /v1/deployments` shows it. */
export interface DeploymentBreakerSnapshot {
  deployment: string;
  state: CircuitStatus;
  consecutiveFailures: number;
  requestsInWindow: number;
  failuresInWindow: number;
  openCount: number;
  openUntil: number | null;
  /** Ms until an open circuit admits a probe; 0 when it would now. */
  retryAfterMs: number;
  halfOpenInFlight: number;
}

/** Per-deployment circuit breakers over a {@link StateStore}. */
export interface CircuitBreakerRegistry extends EventSource<CircuitBreakerEvents> {
  acquire(deployment: string): BreakerPermit;
  onSuccess(deployment: string): void;
  /** Classifies `error` (see `classifyFailure`), records it when it counts, and returns the class. */
  onFailure(deployment: string, error: unknown, options?: { probe?: boolean }): FailureClass;
  /** Frees a probe slot without a verdict (cancelled, caller error, never sent). */
  release(deployment: string, options: { probe: boolean }): void;
  getState(deployment: string): BreakerState | undefined;
  snapshot(): DeploymentBreakerSnapshot[];
}

/** Options of {@link createCircuitBreakerRegistry}. */
export interface CircuitBreakerRegistryOptions {
  /** Defaults to a fresh in-memory store. */
  store?: StateStore;
  /** One config for all deployments, or one per deployment key (e.g. from per-model overrides). */
  config?: Partial<CircuitBreakerConfig> | ((deployment: string) => CircuitBreakerConfig);
  clock?: Clock;
}

/**
 * Circuit breakers for every deployment, with state in the store (so several gateway instances can share it)
 * and transitions from `circuit-breaker-state.ts`. The router calls `acquire` before sending, then exactly one
 * of `permit.success()`, `permit.failure(error)`, `permit.release()`. Caller errors, context-length misses and
 * cancellations are not failures: they only free a probe slot.
 */
export function createCircuitBreakerRegistry(options: CircuitBreakerRegistryOptions = {}): CircuitBreakerRegistry {
  const store = options.store ?? createMemoryStateStore();
  const clock = options.clock ?? systemClock;
  const events = createEventEmitter<CircuitBreakerEvents>();
  const configFor = resolveConfigSource(options.config);

  function update(
    deployment: string,
    transition: (state: BreakerState, now: number) => BreakerUpdate,
    error?: unknown,
  ): BreakerUpdate {
    const now = clock.now();
    let result: BreakerUpdate | undefined;
    store.updateBreaker(deployment, (current) => {
      result = transition(current ?? createBreakerState(now), now);
      return result.state;
    });
    if (result?.transition) emitTransition(deployment, result.transition, error);
    return result!;
  }

  function emitTransition(deployment: string, transition: BreakerTransition, error: unknown): void {
    switch (transition.to) {
      case 'open': {
        const { to: _to, ...details } = transition;
        events.emit('circuit-open', { deployment, ...details, error });
        return;
      }
      case 'half-open':
        events.emit('circuit-half-open', { deployment });
        return;
      case 'closed':
        events.emit('circuit-close', { deployment, from: transition.from });
        return;
    }
  }

  function onSuccess(deployment: string): void {
    const config = configFor(deployment);
    update(deployment, (state, now) => recordSuccess(state, config, now));
  }

  function onFailure(deployment: string, error: unknown, failureOptions: { probe?: boolean } = {}): FailureClass {
    const failureClass = classifyFailure(error);
    const config = configFor(deployment);
    // Our own refusals (an open circuit, elsewhere or here) say nothing new about the deployment.
    const refusal = error instanceof CircuitBreakerError && error.code === 'CIRCUIT_OPEN';
    if (refusal) {
      if (failureOptions.probe) release(deployment, { probe: true });
    } else if (failureClass === 'transient' || failureClass === 'misconfigured') {
      const retryAfterMs = error instanceof CircuitBreakerError ? error.retryAfterMs : undefined;
      const misconfigured = failureClass === 'misconfigured';
      update(deployment, (state, now) => recordFailure(state, config, now, { retryAfterMs, misconfigured }), error);
    } else if (failureOptions.probe) {
      release(deployment, { probe: true });
    }
    return failureClass;
  }

  function release(deployment: string, releaseOptions: { probe: boolean }): void {
    if (releaseOptions.probe) update(deployment, (state, now) => releaseProbe(state, now));
  }

  const verdicts: PermitVerdicts = { onSuccess, onFailure, release };

  function acquire(deployment: string): BreakerPermit {
    const current = store.getBreaker(deployment);
    // Fast path: a known closed breaker admits without a write.
    const decision =
      current?.state === 'closed'
        ? { allowed: true, probe: false, retryAfterMs: undefined }
        : (() => {
            const config = configFor(deployment);
            let acquired: ReturnType<typeof tryAcquire> | undefined;
            update(deployment, (state, now) => {
              acquired = tryAcquire(state, config, now);
              return acquired;
            });
            return acquired!;
          })();
    if (!decision.allowed) {
      const retryAfterMs = decision.retryAfterMs ?? 0;
      return { allowed: false, deployment, retryAfterMs, error: new CircuitOpenError({ deployment, retryAfterMs }) };
    }
    return new AdmittedPermit(deployment, decision.probe, verdicts);
  }

  function snapshot(): DeploymentBreakerSnapshot[] {
    const now = clock.now();
    const rows: DeploymentBreakerSnapshot[] = [];
    for (const [deployment, state] of store.listBreakers()) {
      const { requests, failures } = countWindow(state, configFor(deployment), now);
      rows.push({
        deployment,
        state: state.state,
        consecutiveFailures: state.consecutiveFailures,
        requestsInWindow: requests,
        failuresInWindow: failures,
        openCount: state.openCount,
        openUntil: state.openUntil,
        retryAfterMs: state.state === 'open' && state.openUntil !== null ? Math.max(0, state.openUntil - now) : 0,
        halfOpenInFlight: state.halfOpenInFlight,
      });
    }
    return rows;
  }

  return {
    on: events.on,
    acquire,
    onSuccess,
    onFailure,
    release,
    getState: (deployment) => store.getBreaker(deployment),
    snapshot,
  };
}

function resolveConfigSource(
  config: CircuitBreakerRegistryOptions['config'],
): (deployment: string) => CircuitBreakerConfig {
  if (typeof config === 'function') return config;
  const resolved = resolveCircuitBreakerConfig(config);
  return () => resolved;
}

/** What a permit reports its outcome to: the registry's own functions, shared by every permit. */
interface PermitVerdicts {
  onSuccess(deployment: string): void;
  onFailure(deployment: string, error: unknown, options: { probe: boolean }): FailureClass;
  release(deployment: string, options: { probe: boolean }): void;
}

/**
 * An admitted request's permit: the first of `success`, `failure`, `release` counts, later calls are ignored. A
 * class, not a literal of closures: a live attempt holds its permit for the whole stream (docs/decisions/0006).
 */
class AdmittedPermit implements GrantedPermit {
  readonly allowed = true;
  readonly deployment: string;
  readonly probe: boolean;
  readonly #verdicts: PermitVerdicts;
  #settled = false;

  constructor(deployment: string, probe: boolean, verdicts: PermitVerdicts) {
    this.deployment = deployment;
    this.probe = probe;
    this.#verdicts = verdicts;
  }

  success(): void {
    if (this.#settle()) this.#verdicts.onSuccess(this.deployment);
  }

  failure(error: unknown): FailureClass {
    if (!this.#settle()) return classifyFailure(error);
    return this.#verdicts.onFailure(this.deployment, error, { probe: this.probe });
  }

  release(): void {
    if (this.#settle()) this.#verdicts.release(this.deployment, { probe: this.probe });
  }

  /** True the first time only. */
  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    return true;
  }
}
