import { type BreakerState, isCircuitOpen } from './circuit-breaker-state.js';
import type { DeploymentStats } from './deployment-stats.js';
import { lookupPrice, type ModelPrice, type PriceTable } from './price-table.js';
import { isNearRateLimit } from './rate-limit-headroom.js';

/** The `strategy` of a model's deployments. */
export type RoutingStrategy = 'priority' | 'weighted' | 'latency' | 'least-busy' | 'cost';

/** The least a deployment must say about itself to be ordered. */
export interface RoutableDeployment {
  /** The key its breaker and stats are stored under. */
  key: string;
  /** The upstream model name (for the price lookup). */
  model: string;
  /** For `weighted`; default 1; 0 = only when the others are exhausted. */
  weight?: number;
  /** For `cost`; overrides the price table. */
  price?: ModelPrice;
}

/** What the ordering may consult; everything is optional and read only. */
export interface OrderDeploymentsContext {
  stats?: (key: string) => DeploymentStats | undefined;
  breakers?: (key: string) => BreakerState | undefined;
  /** Price overrides for `cost` (on top of the default table). */
  prices?: PriceTable;
  /** [0, 1) source for `weighted`; default `Math.random`. */
  random?: () => number;
  /** For breaker cooldowns and rate-limit staleness; default `Date.now()`. */
  now?: number;
}

/**
 * Orders a model's deployments into the sequence the router tries them in. The strategy orders the healthy
 * ones; deployments near their rate limit follow them, and deployments whose circuit is open (cooldown not
 * over) come last. Open ones are kept, not dropped: the breaker's `acquire` is the one place that refuses a
 * request, and when everything is open the router still needs the list to report each `CircuitOpenError`.
 *
 * - `priority`: config order.
 * - `weighted`: weighted random order without replacement (each next pick ∝ `weight` among those left).
 * - `latency`: lowest time-to-first-token EWMA first; unmeasured ones before all measured, so they get measured.
 * - `least-busy`: fewest in-flight requests first.
 * - `cost`: cheapest input + output price first; unknown prices last.
 * Ties keep config order (the sort is stable).
 */
export function orderDeployments<T extends RoutableDeployment>(
  deployments: readonly T[],
  strategy: RoutingStrategy,
  context: OrderDeploymentsContext = {},
): T[] {
  const now = context.now ?? Date.now();
  const ordered = orderByStrategy(deployments, strategy, context);
  const tier = (deployment: T): number => {
    if (isCircuitOpen(context.breakers?.(deployment.key), now)) return 2;
    return isNearRateLimit(context.stats?.(deployment.key)?.rateLimit, { now }) ? 1 : 0;
  };
  return ordered
    .map((deployment) => ({ deployment, tier: tier(deployment) }))
    .sort((a, b) => a.tier - b.tier)
    .map(({ deployment }) => deployment);
}

function orderByStrategy<T extends RoutableDeployment>(
  deployments: readonly T[],
  strategy: RoutingStrategy,
  context: OrderDeploymentsContext,
): T[] {
  switch (strategy) {
    case 'priority':
      return [...deployments];
    case 'weighted':
      return orderByWeight(deployments, context.random ?? Math.random);
    case 'latency':
      return sortBy(deployments, (d) => context.stats?.(d.key)?.ttftEwmaMs ?? Number.NEGATIVE_INFINITY);
    case 'least-busy':
      return sortBy(deployments, (d) => context.stats?.(d.key)?.inFlight ?? 0);
    case 'cost':
      return sortBy(deployments, (d) => {
        const price = d.price ?? lookupPrice(d.model, context.prices);
        return price ? price.inputPerMillion + price.outputPerMillion : Number.POSITIVE_INFINITY;
      });
    default: {
      const unknownStrategy: never = strategy;
      throw new Error(`Unknown routing strategy: ${String(unknownStrategy)}`);
    }
  }
}

/**
 * Efraimidis–Spirakis: each item draws u^(1/w) and the list sorts by it descending, which is exactly weighted
 * sampling without replacement in one pass. Weight 0 sorts after every positive weight.
 * @see https://doi.org/10.1016/j.ipl.2005.11.003
 */
function orderByWeight<T extends RoutableDeployment>(deployments: readonly T[], random: () => number): T[] {
  return deployments
    .map((deployment) => {
      const weight = deployment.weight ?? 1;
      return { deployment, score: weight > 0 ? random() ** (1 / weight) : -1 };
    })
    .sort((a, b) => b.score - a.score)
    .map(({ deployment }) => deployment);
}

function sortBy<T>(items: readonly T[], score: (item: T) => number): T[] {
  return items
    .map((item) => ({ item, score: score(item) }))
    .sort((a, b) => a.score - b.score)
    .map(({ item }) => item);
}
