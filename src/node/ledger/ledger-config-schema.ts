import { z } from 'zod';

/**
 * The `ledger` config section: where usage rows are stored and how they are batched. `false` turns the ledger off.
 * A crash loses at most the rows not yet flushed: at most `batch_size` rows or `batch_ms` worth of requests.
 */
export const ledgerConfigSchema = z.union([
  z.literal(false),
  z
    .object({
      path: z.string().min(1).default('./.cb-data/ledger.sqlite'),
      /** Longest a row waits in memory before it is written. */
      batch_ms: z.coerce.number().int().positive().default(1000),
      /** A batch this large is written at once, without waiting for the timer. */
      batch_size: z.coerce.number().int().positive().default(200),
    })
    .strict(),
]);

export type LedgerConfigInput = z.input<typeof ledgerConfigSchema>;
export type LedgerConfig = z.output<typeof ledgerConfigSchema>;

/** The ledger settings from the raw config section (undefined → defaults). */
export function parseLedgerConfig(section: unknown): LedgerConfig {
  return ledgerConfigSchema.parse(section ?? {});
}
