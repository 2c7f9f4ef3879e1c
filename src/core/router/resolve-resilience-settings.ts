import { defaultRetryConfig, type RetryConfig } from '../resilience/backoff.js';
import { type CircuitBreakerConfig, resolveCircuitBreakerConfig } from '../resilience/circuit-breaker-config.js';
import type { ModelPrice, PriceTable } from '../resilience/price-table.js';
import type { RoutingStrategy } from '../resilience/select-deployments.js';
import type { ModelEntry, Price, RouterConfig, TimeoutsConfig } from './config-schema.js';

/**
 * The one place where the snake_case config (`circuit_breaker`, `retry`, `timeouts`, `prices`, per-model keys)
 * becomes the camelCase options the pure policies take, with the documented defaults (docs/resilience.md).
 */

/** Retries and the limits on the whole before-first-token phase. */
export interface RetrySettings extends RetryConfig {
  /** Upstream requests one caller request may make, across deployments and fallback models. */
  maxAttemptsTotal: number;
  /** No new attempt (or backoff wait) starts after this many ms since the request began. */
  maxTotalMs: number;
}

/** The stream watchdog's limits for one model (global `timeouts` overlaid with the model's own). */
export interface TimeoutSettings {
  connectMs?: number;
  firstTokenMs?: number;
  idleMs?: number;
  /** Non-streamed requests only: the whole answer within this. */
  requestMs?: number;
  minTokensPerSecond?: number;
  probeWindowMs?: number;
}

/** What the router needs to know about one model beyond its deployments. */
export interface ModelSettings {
  strategy: RoutingStrategy;
  fallbacks: readonly string[];
  contextWindowFallbacks: readonly string[];
  hedgeAfterMs: number | 'auto' | undefined;
  midstreamFailover: boolean;
  timeouts: TimeoutSettings;
}

export interface ResilienceSettings {
  breaker: CircuitBreakerConfig;
  retry: RetrySettings;
  prices: PriceTable;
  /** Settings of a configured model, or of an ad-hoc route (`provider/model`, `gpt-*`) when `entry` is undefined. */
  model(entry: ModelEntry | undefined): ModelSettings;
}

/** Global timeout defaults: generous enough for slow reasoning models, short enough to notice a dead upstream. */
export const defaultTimeouts: Readonly<
  Required<Pick<TimeoutSettings, 'connectMs' | 'firstTokenMs' | 'idleMs' | 'requestMs'>>
> = Object.freeze({ connectMs: 10_000, firstTokenMs: 60_000, idleMs: 60_000, requestMs: 300_000 });

/** Defaults of the whole-request limits (`retry.max_attempts_total`, `retry.max_total_ms`). */
export const defaultRetryLimits = Object.freeze({ maxAttemptsTotal: 10, maxTotalMs: 120_000 });

export function resolveResilienceSettings(config: RouterConfig): ResilienceSettings {
  const breaker = resolveCircuitBreakerConfig({
    failureThreshold: config.circuit_breaker?.failure_threshold,
    failureRate: config.circuit_breaker?.failure_rate,
    windowMs: config.circuit_breaker?.window_ms,
    minRequests: config.circuit_breaker?.min_requests,
    cooldownMs: config.circuit_breaker?.cooldown_ms,
    maxCooldownMs: config.circuit_breaker?.max_cooldown_ms,
    halfOpenProbes: config.circuit_breaker?.half_open_probes,
  });
  const retry: RetrySettings = {
    attempts: config.retry?.attempts ?? defaultRetryConfig.attempts,
    baseDelayMs: config.retry?.base_delay_ms ?? defaultRetryConfig.baseDelayMs,
    maxDelayMs: config.retry?.max_delay_ms ?? defaultRetryConfig.maxDelayMs,
    maxAttemptsTotal: config.retry?.max_attempts_total ?? defaultRetryLimits.maxAttemptsTotal,
    maxTotalMs: config.retry?.max_total_ms ?? defaultRetryLimits.maxTotalMs,
  };
  const prices: Record<string, ModelPrice> = {};
  for (const [model, price] of Object.entries(config.prices ?? {})) prices[model] = toModelPrice(price);
  const globalTimeouts = overlayTimeouts(defaultTimeouts, config.timeouts);
  const cache = new WeakMap<ModelEntry, ModelSettings>();
  const adHoc: ModelSettings = Object.freeze({
    strategy: 'priority',
    fallbacks: [],
    contextWindowFallbacks: [],
    hedgeAfterMs: undefined,
    midstreamFailover: true,
    timeouts: globalTimeouts,
  });

  return {
    breaker,
    retry,
    prices,
    model(entry) {
      if (!entry) return adHoc;
      let settings = cache.get(entry);
      if (!settings) {
        settings = {
          strategy: entry.strategy ?? 'priority',
          fallbacks: entry.fallbacks ?? [],
          contextWindowFallbacks: entry.context_window_fallbacks ?? [],
          hedgeAfterMs: entry.hedge_after_ms,
          midstreamFailover: entry.midstream_failover ?? true,
          timeouts: {
            ...overlayTimeouts(globalTimeouts, entry.timeouts),
            minTokensPerSecond: entry.min_tokens_per_s,
            probeWindowMs: entry.probe_window_ms,
          },
        };
        cache.set(entry, settings);
      }
      return settings;
    },
  };
}

/** A config price (`input_per_1m`, `output_per_1m`) as the price table's shape. */
export function toModelPrice(price: Price): ModelPrice {
  return { inputPerMillion: price.input_per_1m, outputPerMillion: price.output_per_1m };
}

function overlayTimeouts(base: TimeoutSettings, overrides: TimeoutsConfig | undefined): TimeoutSettings {
  return {
    connectMs: overrides?.connect_ms ?? base.connectMs,
    firstTokenMs: overrides?.first_token_ms ?? base.firstTokenMs,
    idleMs: overrides?.idle_ms ?? base.idleMs,
    requestMs: overrides?.request_ms ?? base.requestMs,
  };
}
