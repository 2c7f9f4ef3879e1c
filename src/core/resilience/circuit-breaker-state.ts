import type { CircuitBreakerConfig } from './circuit-breaker-config.js';
import { computeCooldownMs } from './circuit-breaker-config.js';

/** The three classic breaker states. */
export type CircuitStatus = 'closed' | 'open' | 'half-open';

/** Outcome counts for one slice of the sliding window, starting at `start` (ms). */
export interface WindowBucket {
  start: number;
  successes: number;
  failures: number;
}

/**
 * One deployment's breaker as a plain value: JSON round-trips it exactly (no `undefined`, no classes), so a
 * shared store (Redis) persists and publishes exactly this. Every change goes through the pure transitions
 * below; see docs/decisions/0001-own-circuit-breaker.md for why this is not a cockatiel policy.
 */
export interface BreakerState {
  state: CircuitStatus;
  consecutiveFailures: number;
  /** At most `windowBuckets` buckets, oldest first; older ones are dropped on each write. */
  window: WindowBucket[];
  openedAt: number | null;
  /** When an open circuit lets a probe through. */
  openUntil: number | null;
  /** Consecutive openings without a close in between: the exponent of the cooldown backoff. */
  openCount: number;
  halfOpenInFlight: number;
  /** When the last half-open probe was admitted (for `probeTimeoutMs`). */
  lastProbeAt: number | null;
  /** Time of the last change; a store merging copies from several instances keeps the newer one. */
  updatedAt: number;
}

/** Why a circuit opened. */
export type OpenReason = 'consecutive-failures' | 'failure-rate' | 'misconfigured' | 'probe-failed';

/** A change of {@link CircuitStatus}, returned so callers can emit `circuit-open` / `-half-open` / `-close`. */
export type BreakerTransition =
  | { to: 'open'; from: CircuitStatus; reason: OpenReason; cooldownMs: number; openUntil: number; openCount: number }
  | { to: 'half-open'; from: 'open' }
  | { to: 'closed'; from: CircuitStatus };

/** The new state and, when the status changed, how. Unchanged state is returned as the same object. */
export interface BreakerUpdate {
  state: BreakerState;
  transition?: BreakerTransition;
}

/** What {@link tryAcquire} decided. `retryAfterMs` is set when not allowed: how long until a probe may go. */
export interface AcquireDecision extends BreakerUpdate {
  allowed: boolean;
  /** The request is a half-open probe: report its outcome (or release it) so the slot frees. */
  probe: boolean;
  retryAfterMs?: number;
}

/** Options of {@link recordFailure}. */
export interface FailureDetails {
  /** The provider's retry-after: an opening cooldown is at least this (capped at `maxCooldownMs`). */
  retryAfterMs?: number;
  /** A wrong or unauthorised key (401/403): open now, for `maxCooldownMs`. */
  misconfigured?: boolean;
}

/** A closed breaker with nothing recorded. */
export function createBreakerState(now = 0): BreakerState {
  return {
    state: 'closed',
    consecutiveFailures: 0,
    window: [],
    openedAt: null,
    openUntil: null,
    openCount: 0,
    halfOpenInFlight: 0,
    lastProbeAt: null,
    updatedAt: now,
  };
}

/**
 * Decides whether a request may go to the deployment. Closed: yes. Open: no until `openUntil`, then the circuit
 * turns half-open and this request is the first probe. Half-open: up to `halfOpenProbes` probes in flight.
 */
export function tryAcquire(state: BreakerState, config: CircuitBreakerConfig, now: number): AcquireDecision {
  switch (state.state) {
    case 'closed':
      return { allowed: true, probe: false, state };
    case 'open': {
      const openUntil = state.openUntil ?? now;
      if (now < openUntil) return { allowed: false, probe: false, state, retryAfterMs: openUntil - now };
      const next: BreakerState = {
        ...state,
        state: 'half-open',
        halfOpenInFlight: 1,
        lastProbeAt: now,
        updatedAt: now,
      };
      return { allowed: true, probe: true, state: next, transition: { to: 'half-open', from: 'open' } };
    }
    case 'half-open': {
      const leaseExpired = state.lastProbeAt !== null && now - state.lastProbeAt >= config.probeTimeoutMs;
      const inFlight = leaseExpired ? 0 : state.halfOpenInFlight;
      if (inFlight >= Math.max(1, config.halfOpenProbes)) {
        // Probes are out: ask again shortly; the probe's outcome decides the rest.
        return { allowed: false, probe: false, state, retryAfterMs: Math.min(config.cooldownMs, 1000) };
      }
      const next: BreakerState = { ...state, halfOpenInFlight: inFlight + 1, lastProbeAt: now, updatedAt: now };
      return { allowed: true, probe: true, state: next };
    }
  }
}

/**
 * A request succeeded. Closed: counts it and resets the consecutive failures. Half-open: closes the circuit
 * (any fresh success shows the upstream works, probe or a request from before the opening). Open: changes
 * nothing; the cooldown runs its course and a probe decides.
 */
export function recordSuccess(state: BreakerState, config: CircuitBreakerConfig, now: number): BreakerUpdate {
  switch (state.state) {
    case 'closed':
      return {
        state: {
          ...state,
          consecutiveFailures: 0,
          window: addToWindow(state.window, config, now, 'success'),
          updatedAt: now,
        },
      };
    case 'half-open':
      return { state: createBreakerState(now), transition: { to: 'closed', from: 'half-open' } };
    case 'open':
      return { state };
  }
}

/**
 * A request failed in a way that counts against the deployment (see `classifyFailure`). Closed: opens when the
 * consecutive failures reach `failureThreshold`, or when the window holds `minRequests` and the failure share
 * reaches `failureRate`. Half-open: re-opens with the next, doubled cooldown. Open: only lengthens the cooldown
 * if this failure asks for more (retry-after, misconfigured). A misconfigured key opens at once for `maxCooldownMs`.
 */
export function recordFailure(
  state: BreakerState,
  config: CircuitBreakerConfig,
  now: number,
  details: FailureDetails = {},
): BreakerUpdate {
  if (state.state === 'open') {
    if (!details.misconfigured && details.retryAfterMs === undefined) return { state };
    const wanted = details.misconfigured
      ? now + config.maxCooldownMs
      : now + Math.min(details.retryAfterMs ?? 0, config.maxCooldownMs);
    if (state.openUntil !== null && wanted <= state.openUntil) return { state };
    return { state: { ...state, openUntil: wanted, updatedAt: now } };
  }
  if (details.misconfigured)
    return open(state, config, now, { reason: 'misconfigured', cooldownMs: config.maxCooldownMs });
  if (state.state === 'half-open')
    return open(state, config, now, { reason: 'probe-failed', retryAfterMs: details.retryAfterMs });

  const counted: BreakerState = {
    ...state,
    consecutiveFailures: state.consecutiveFailures + 1,
    window: addToWindow(state.window, config, now, 'failure'),
    updatedAt: now,
  };
  const reason = tripReason(counted, config, now);
  return reason ? open(counted, config, now, { reason, retryAfterMs: details.retryAfterMs }) : { state: counted };
}

/**
 * A probe ended with neither success nor failure (cancelled, a caller error, a context-length miss): frees its
 * half-open slot without deciding anything. A no-op in other states.
 */
export function releaseProbe(state: BreakerState, now: number): BreakerUpdate {
  if (state.state !== 'half-open' || state.halfOpenInFlight === 0) return { state };
  return { state: { ...state, halfOpenInFlight: state.halfOpenInFlight - 1, updatedAt: now } };
}

/** Successes and failures the window holds at `now`. */
export function countWindow(
  state: BreakerState,
  config: CircuitBreakerConfig,
  now: number,
): { requests: number; failures: number } {
  let requests = 0;
  let failures = 0;
  for (const bucket of state.window) {
    if (bucket.start <= now - config.windowMs) continue;
    requests += bucket.successes + bucket.failures;
    failures += bucket.failures;
  }
  return { requests, failures };
}

/** True while the circuit turns requests away without a probe being due (open, cooldown not over). */
export function isCircuitOpen(state: BreakerState | undefined, now: number): boolean {
  return state?.state === 'open' && (state.openUntil ?? 0) > now;
}

/** Checks an untrusted value (read back from a shared store) has the {@link BreakerState} shape. */
export function isBreakerState(value: unknown): value is BreakerState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const nullableNumber = (x: unknown) => x === null || typeof x === 'number';
  return (
    (v.state === 'closed' || v.state === 'open' || v.state === 'half-open') &&
    typeof v.consecutiveFailures === 'number' &&
    Array.isArray(v.window) &&
    v.window.every(
      (b: unknown) =>
        typeof b === 'object' &&
        b !== null &&
        typeof (b as WindowBucket).start === 'number' &&
        typeof (b as WindowBucket).successes === 'number' &&
        typeof (b as WindowBucket).failures === 'number',
    ) &&
    nullableNumber(v.openedAt) &&
    nullableNumber(v.openUntil) &&
    typeof v.openCount === 'number' &&
    typeof v.halfOpenInFlight === 'number' &&
    nullableNumber(v.lastProbeAt) &&
    typeof v.updatedAt === 'number'
  );
}

function tripReason(state: BreakerState, config: CircuitBreakerConfig, now: number): OpenReason | undefined {
  if (config.failureThreshold > 0 && state.consecutiveFailures >= config.failureThreshold) {
    return 'consecutive-failures';
  }
  if (config.failureRate > 0) {
    const { requests, failures } = countWindow(state, config, now);
    if (requests >= config.minRequests && requests > 0 && failures / requests >= config.failureRate) {
      return 'failure-rate';
    }
  }
  return undefined;
}

function open(
  state: BreakerState,
  config: CircuitBreakerConfig,
  now: number,
  options: { reason: OpenReason; cooldownMs?: number; retryAfterMs?: number },
): BreakerUpdate {
  const openCount = state.openCount + 1;
  const cooldownMs = options.cooldownMs ?? computeCooldownMs(config, openCount, options.retryAfterMs);
  const openUntil = now + cooldownMs;
  return {
    state: {
      state: 'open',
      consecutiveFailures: state.consecutiveFailures,
      window: [],
      openedAt: now,
      openUntil,
      openCount,
      halfOpenInFlight: 0,
      lastProbeAt: null,
      updatedAt: now,
    },
    transition: { to: 'open', from: state.state, reason: options.reason, cooldownMs, openUntil, openCount },
  };
}

/**
 * Adds one outcome to the bucket containing `now`, dropping buckets that left the window. Buckets are aligned
 * to multiples of `windowMs / windowBuckets`, so the window is exact to one bucket: cheap and small.
 */
function addToWindow(
  window: readonly WindowBucket[],
  config: CircuitBreakerConfig,
  now: number,
  outcome: 'success' | 'failure',
): WindowBucket[] {
  const bucketMs = Math.max(1, Math.ceil(config.windowMs / Math.max(1, config.windowBuckets)));
  const start = Math.floor(now / bucketMs) * bucketMs;
  const kept = window.filter((bucket) => bucket.start > now - config.windowMs && bucket.start <= start);
  const last = kept.at(-1);
  const success = outcome === 'success' ? 1 : 0;
  if (last && last.start === start) {
    kept[kept.length - 1] = { start, successes: last.successes + success, failures: last.failures + 1 - success };
  } else {
    kept.push({ start, successes: success, failures: 1 - success });
  }
  return kept.length > config.windowBuckets ? kept.slice(kept.length - config.windowBuckets) : kept;
}
