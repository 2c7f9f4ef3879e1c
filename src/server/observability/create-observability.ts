import type { Router } from '../../core/router/create-router.js';
import type { DeliveredText } from '../../core/router/delivered-text.js';
import type { ChatCompletionChunk } from '../../core/types/chat-chunk.js';
import { createKeyLimiter, type KeyLimiter } from '../limits/create-key-limiter.js';
import { createMemoryLimitStore } from '../limits/create-memory-limit-store.js';
import { KeyLimitError } from '../limits/key-limit-error.js';
import type { LimitStore } from '../limits/limit-store.js';
import { type LimitsConfig, limitsConfigSchema } from '../limits/limits-config-schema.js';
import type { CompletionRoute, CompletionTaps } from './completion-observer.js';
import { createGatewayMetrics, type GatewayMetrics } from './create-gateway-metrics.js';
import { createLiveState, type LiveState, type SharedStateReport } from './create-live-state.js';
import { createDeploymentHealth, type DeploymentHealth } from './deployment-health.js';
import { createLabelBounds } from './label-bounds.js';
import { type CompletionObserver, ObservedCompletion } from './observed-completion.js';
import type { UsageLedger } from './usage-ledger.js';
import { buildUsageRecord, createPriceResolver, type UsageRecord } from './usage-record.js';

export interface ObservabilityOptions {
  router: Router;
  /** Where usage rows go (`createSqliteLedger` in src/node); without one `/v1/usage` answers 404. */
  ledger?: UsageLedger;
  /** The `limits` config section (validated here). */
  limits?: LimitsConfig | unknown;
  /** Counters for limits; in-memory by default. */
  limitStore?: LimitStore;
  /**
   * The shared-state backend's status (src/node/redis), shown on `/ready` and the dashboard. A degraded backend does
   * not make the instance unready: it serves from local state, and draining every instance at once would be worse.
   */
  sharedState?: () => SharedStateReport;
  /** Serve `/metrics` without a gateway key (for a scraper on a private network). Default false. */
  metricsPublic?: boolean;
}

/** What `/ready` answers. */
export interface Readiness {
  ready: boolean;
  reasons: string[];
  deployments: Pick<DeploymentHealth, 'key' | 'state'>[];
  state?: SharedStateReport;
}

/** Metrics, dashboard state, usage ledger and limits of one gateway, wired to its router's events. */
export interface Observability {
  readonly observer: CompletionTaps;
  readonly metrics: GatewayMetrics;
  readonly live: LiveState;
  readonly ledger: UsageLedger | undefined;
  readonly limiter: KeyLimiter;
  readonly metricsPublic: boolean;
  readiness(): Readiness;
  /** Throws a 429 `KeyLimitError` when the key is over a limit (counted in the metrics); else takes a request slot. */
  checkLimits(identity: string, route: CompletionRoute): Promise<void>;
  /** Resolves once every finished request's row was handed to the ledger (tests, shutdown). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Subscribes metrics, the dashboard's live state and the usage ledger to the router (its events) and to the gateway
 * (a tap per completion request). The router and the routes import none of this.
 */
export function createObservability(options: ObservabilityOptions): Observability {
  const { router, ledger } = options;
  const bounds = createLabelBounds(router.config);
  const health = createDeploymentHealth({ router, bounds });
  const metrics = createGatewayMetrics({ router, bounds, health });
  const live = createLiveState({ router, bounds, health, sharedState: options.sharedState });
  const limitsConfig = limitsConfigSchema.parse(options.limits ?? {});
  const limiter = createKeyLimiter({ config: limitsConfig, store: options.limitStore ?? createMemoryLimitStore() });
  const priceOf = createPriceResolver(router.config);
  const pending = new Set<Promise<void>>();

  const deliver = (record: UsageRecord) => {
    metrics.recordUsage(record);
    live.recordUsage(record);
    ledger?.record(record);
    return limiter.record(record);
  };

  const usageObserver: CompletionObserver = {
    chunksWritten(request, chunks) {
      for (const chunk of chunks) collectDeliveredText(chunk, request.delivered);
    },
    requestEnded(request, summary) {
      const work = buildUsageRecord({
        start: request.start,
        summary,
        deliveredText: request.delivered.toString(),
        priceOf,
      })
        .then(deliver)
        .catch(() => {
          // A row that cannot be built is a bug to fix, not a reason to fail the next request.
        });
      pending.add(work);
      void work.finally(() => pending.delete(work));
    },
  };
  const observers = [metrics.observer, live.observer, usageObserver];

  return {
    observer: { start: (start) => new ObservedCompletion(start, observers) },
    metrics,
    live,
    ledger,
    limiter,
    metricsPublic: options.metricsPublic ?? false,
    async checkLimits(identity, route) {
      if (!limiter.enabled) return;
      try {
        await limiter.check(identity);
      } catch (error) {
        if (error instanceof KeyLimitError) metrics.recordLimited(route, error.limit);
        throw error;
      }
    },
    readiness() {
      const deployments = health.list().map(({ key, state }) => ({ key, state }));
      const reasons: string[] = [];
      if (Object.keys(router.config.providers).length === 0) reasons.push('no providers are configured');
      if (deployments.length > 0 && deployments.every((deployment) => deployment.state === 'open')) {
        reasons.push(
          `every deployment's circuit is open: ${deployments.map((deployment) => deployment.key).join(', ')}`,
        );
      }
      const state = options.sharedState?.();
      return { ready: reasons.length === 0, reasons, deployments, ...(state ? { state } : {}) };
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
    async close() {
      live.close();
      while (pending.size > 0) await Promise.all([...pending]);
      await ledger?.close();
    },
  };
}

/** The text a chunk delivers (content, reasoning, tool arguments), kept for a later token count. */
function collectDeliveredText(chunk: ChatCompletionChunk, into: DeliveredText): void {
  for (const choice of chunk.choices) {
    const delta = choice.delta;
    if (delta.content) into.push(delta.content);
    if (delta.reasoning_content) into.push(delta.reasoning_content);
    if (delta.tool_calls) {
      for (const call of delta.tool_calls) if (call.function?.arguments) into.push(call.function.arguments);
    }
  }
}
