/**
 * When a deployment's circuit opens and how it recovers. Mirrors the YAML `circuit_breaker` block
 * (`failure_threshold`, `failure_rate`, `window_ms`, `min_requests`, `cooldown_ms`, `max_cooldown_ms`,
 * `half_open_probes`) in camelCase, plus two knobs the YAML does not need to expose.
 */
export interface CircuitBreakerConfig {
  /** Consecutive failures that open the circuit; 0 disables the rule. */
  failureThreshold: number;
  /** Failure share in the window (0..1) that opens the circuit once `minRequests` were seen; 0 disables it. */
  failureRate: number;
  /** Length of the sliding window the failure rate is measured over. */
  windowMs: number;
  /** Requests the window must hold before the failure rate counts (one failure of one request is no rate). */
  minRequests: number;
  /** First cooldown; each consecutive re-open doubles it. */
  cooldownMs: number;
  /** Ceiling for the doubled cooldown, for a provider's retry-after, and the cooldown of a misconfigured key. */
  maxCooldownMs: number;
  /** Requests admitted at once while half-open. */
  halfOpenProbes: number;
  /** Buckets the window is split into: the state stays this small whatever the traffic. */
  windowBuckets: number;
  /**
   * How long a half-open probe may stay out before its slot is given to a new one. Guards against a gateway
   * instance that took the probe and died (the shared state would otherwise stay half-open and full forever).
   */
  probeTimeoutMs: number;
}

/** The documented defaults (`circuit_breaker:` in the config reference). */
export const defaultCircuitBreakerConfig: Readonly<CircuitBreakerConfig> = Object.freeze({
  failureThreshold: 5,
  failureRate: 0.5,
  windowMs: 60_000,
  minRequests: 10,
  cooldownMs: 30_000,
  maxCooldownMs: 300_000,
  halfOpenProbes: 1,
  windowBuckets: 10,
  probeTimeoutMs: 120_000,
});

/** Fills the options a config left out with {@link defaultCircuitBreakerConfig}. */
export function resolveCircuitBreakerConfig(options: Partial<CircuitBreakerConfig> = {}): CircuitBreakerConfig {
  const defined = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return { ...defaultCircuitBreakerConfig, ...defined };
}

/**
 * The cooldown for the `openCount`-th consecutive opening: `cooldownMs × 2^(openCount−1)` capped at
 * `maxCooldownMs`, and at least the provider's retry-after. The retry-after is itself capped at `maxCooldownMs`:
 * the operator's ceiling wins over a provider asking for an hour (or sending a bogus date).
 */
export function computeCooldownMs(config: CircuitBreakerConfig, openCount: number, retryAfterMs?: number): number {
  const backoff = Math.min(config.cooldownMs * 2 ** Math.max(0, openCount - 1), config.maxCooldownMs);
  const asked = retryAfterMs === undefined ? 0 : Math.min(Math.max(0, retryAfterMs), config.maxCooldownMs);
  return Math.max(backoff, asked);
}
