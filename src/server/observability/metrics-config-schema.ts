import { z } from 'zod';

/** The `metrics` config section. `public: true` serves `/metrics` without a gateway key (a scraper on a private network). */
export const metricsConfigSchema = z
  .object({
    public: z.boolean().default(false),
  })
  .strict();

export type MetricsConfig = z.output<typeof metricsConfigSchema>;
