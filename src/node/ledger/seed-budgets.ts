import type { Observability } from '../../server/observability/create-observability.js';

/**
 * After a restart the in-memory limit counters are empty; the ledger still knows what each key spent in its current
 * budget window (day or month), so that spend is counted again and a budget cannot be re-spent by restarting.
 */
export async function seedBudgetsFromLedger(observability: Observability, now = Date.now()): Promise<void> {
  const { ledger, limiter } = observability;
  if (!ledger || !limiter.enabled) return;
  const date = new Date(now);
  const dayStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const monthStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const byWindow = new Map<number, Map<string, number>>();
  for (const from of new Set([dayStart, monthStart])) {
    const rows = await ledger.totals({ groupBy: 'key', from });
    byWindow.set(from, new Map(rows.map((row) => [row.group, row.costUsd])));
  }
  for (const [from, spend] of byWindow) {
    for (const [identity, costUsd] of spend) {
      if (limiter.budgetWindowStart(identity) === from) await limiter.seedSpend(identity, costUsd);
    }
  }
}
