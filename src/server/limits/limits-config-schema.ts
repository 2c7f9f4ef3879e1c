import { z } from 'zod';

/** Limits of one gateway key (or of every key, under `*`). Each is optional; absent means unlimited. */
export const keyLimitsSchema = z
  .object({
    /** Requests per sliding minute. */
    requests_per_minute: z.coerce.number().int().positive().optional(),
    /** Prompt + completion tokens per sliding minute; checked before a request, counted after it. */
    tokens_per_minute: z.coerce.number().int().positive().optional(),
    /** Spend cap in USD per `budget_period` (UTC calendar day or month), from the price table. */
    budget_usd: z.coerce.number().positive().optional(),
    budget_period: z.enum(['day', 'month']).default('day'),
  })
  .strict();

/**
 * The `limits` config section: `keys` maps a key name (from `server.api_keys: [{name, key}]`), a key identity
 * (`key_<hash>`, as the logs show it) or `*` (every key without its own entry; each key still counts separately) to
 * its limits. With auth off every caller is `anonymous`.
 */
export const limitsConfigSchema = z
  .object({
    keys: z.record(z.string(), keyLimitsSchema).default({}),
  })
  .strict();

export type LimitsConfigInput = z.input<typeof limitsConfigSchema>;
export type LimitsConfig = z.output<typeof limitsConfigSchema>;
export type KeyLimits = z.output<typeof keyLimitsSchema>;
