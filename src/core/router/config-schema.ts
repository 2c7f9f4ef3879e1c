import { z } from 'zod';

/**
 * The router configuration: the same object is accepted by `createRouter` and read from a YAML/JSON file.
 * Keys are snake_case as users write them in YAML. Unknown top-level keys are kept (the gateway adds `server`,
 * `sessions`, `state`, …), so one file configures everything.
 */

const providerTypeSchema = z.enum(['openai', 'anthropic', 'google', 'openai-compatible']);

export const providerEntrySchema = z.object({
  type: providerTypeSchema,
  base_url: z.string().url().optional(),
  api_key: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

export const priceSchema = z.object({
  /** USD per one million prompt tokens. */
  input_per_1m: z.number().nonnegative(),
  /** USD per one million completion tokens. */
  output_per_1m: z.number().nonnegative(),
});

export const deploymentSchema = z.object({
  provider: z.string().min(1),
  model: z.string().min(1),
  weight: z.number().positive().optional(),
  price: priceSchema.optional(),
});

export const timeoutsSchema = z.object({
  connect_ms: z.number().positive().optional(),
  first_token_ms: z.number().positive().optional(),
  idle_ms: z.number().positive().optional(),
  /** Non-streamed requests: the whole answer must arrive within this (it comes at once, with the headers). */
  request_ms: z.number().positive().optional(),
});

export const strategySchema = z.enum(['priority', 'weighted', 'latency', 'least-busy', 'cost']);

export const modelEntrySchema = z.object({
  description: z.string().optional(),
  strategy: strategySchema.optional(),
  deployments: z.array(deploymentSchema).min(1),
  fallbacks: z.array(z.string()).optional(),
  context_window_fallbacks: z.array(z.string()).optional(),
  hedge_after_ms: z.union([z.number().positive(), z.literal('auto')]).optional(),
  midstream_failover: z.boolean().optional(),
  timeouts: timeoutsSchema.optional(),
  min_tokens_per_s: z.number().positive().optional(),
  probe_window_ms: z.number().positive().optional(),
});

export const circuitBreakerConfigSchema = z.object({
  failure_threshold: z.number().int().positive().optional(),
  failure_rate: z.number().gt(0).max(1).optional(),
  window_ms: z.number().positive().optional(),
  min_requests: z.number().int().positive().optional(),
  cooldown_ms: z.number().positive().optional(),
  max_cooldown_ms: z.number().positive().optional(),
  half_open_probes: z.number().int().positive().optional(),
});

export const retryConfigSchema = z.object({
  attempts: z.number().int().min(0).optional(),
  base_delay_ms: z.number().min(0).optional(),
  max_delay_ms: z.number().min(0).optional(),
  /** Upper bound on the whole before-first-token phase (all attempts, all deployments). */
  max_total_ms: z.number().positive().optional(),
  /** Upper bound on attempts across deployments and fallbacks. */
  max_attempts_total: z.number().int().positive().optional(),
});

export const routerConfigSchema = z
  .object({
    providers: z.record(z.string(), providerEntrySchema).default({}),
    models: z.record(z.string(), modelEntrySchema).default({}),
    circuit_breaker: circuitBreakerConfigSchema.optional(),
    retry: retryConfigSchema.optional(),
    timeouts: timeoutsSchema.optional(),
    prices: z.record(z.string(), priceSchema).optional(),
  })
  .passthrough();

export type RouterConfigInput = z.input<typeof routerConfigSchema>;
export type RouterConfig = z.output<typeof routerConfigSchema>;
export type ProviderEntry = z.infer<typeof providerEntrySchema>;
export type ModelEntry = z.infer<typeof modelEntrySchema>;
export type DeploymentEntry = z.infer<typeof deploymentSchema>;
export type RoutingStrategy = z.infer<typeof strategySchema>;
export type TimeoutsConfig = z.infer<typeof timeoutsSchema>;
export type CircuitBreakerConfig = z.infer<typeof circuitBreakerConfigSchema>;
export type RetryConfig = z.infer<typeof retryConfigSchema>;
export type Price = z.infer<typeof priceSchema>;
