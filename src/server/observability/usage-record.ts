import { estimateCost, lookupPrice, type PriceTable } from '../../core/resilience/price-table.js';
import type { RouterConfig } from '../../core/router/config-schema.js';
import type { CompletionRoute, CompletionStart, CompletionSummary } from './completion-observer.js';
import { collectPromptText, countTextTokens } from './count-tokens.js';

/** One request's row in the usage ledger: what was asked, who served, what it cost. Never a key, never content. */
export interface UsageRecord {
  /** Request start, ms since the epoch. */
  time: number;
  requestId: string;
  /** The gateway key's configured name or `key_<hash>`; `anonymous` with auth off. */
  identity: string;
  route: CompletionRoute;
  /** The model name the caller asked for. */
  model: string;
  /** `provider/model` that served (or last tried); null when nothing did. */
  deployment: string | null;
  stream: boolean;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  ttftMs: number | null;
  durationMs: number;
  outcome: 'success' | 'error' | 'cancelled';
  status: number;
  /** A stream that ended before it finished: the tokens are what was delivered (counted here when unreported). */
  partial: boolean;
  /** True when usage came from our tokenizer rather than the provider. */
  estimated: boolean;
  failover: boolean;
  hedged: boolean;
  errorCode: string | null;
}

/** The price table the ledger and budgets bill with: config `prices:` and per-deployment `price:` over the defaults. */
export function createPriceResolver(config: RouterConfig) {
  const overrides: Record<string, { inputPerMillion: number; outputPerMillion: number }> = {};
  for (const [name, price] of Object.entries(config.prices ?? {})) {
    overrides[name.toLowerCase()] = { inputPerMillion: price.input_per_1m, outputPerMillion: price.output_per_1m };
  }
  const deploymentPrices = new Map<string, { inputPerMillion: number; outputPerMillion: number }>();
  for (const entry of Object.values(config.models)) {
    for (const deployment of entry.deployments) {
      if (!deployment.price) continue;
      deploymentPrices.set(`${deployment.provider}/${deployment.model}`, {
        inputPerMillion: deployment.price.input_per_1m,
        outputPerMillion: deployment.price.output_per_1m,
      });
    }
  }
  const table: PriceTable = overrides;
  return (deployment: string | null, model: string) =>
    (deployment ? deploymentPrices.get(deployment) : undefined) ?? lookupPrice(deployment ?? model, table);
}

/**
 * Builds the ledger row of a finished request. Provider-reported usage is taken as is; when a stream was cut (or the
 * provider sent none), the delivered text and the prompt are counted with the tokenizer, and the row says so.
 */
export async function buildUsageRecord(options: {
  start: CompletionStart;
  summary: CompletionSummary;
  deliveredText: string;
  priceOf: ReturnType<typeof createPriceResolver>;
}): Promise<UsageRecord> {
  const { start, summary } = options;
  const estimated = summary.completionTokens === undefined || summary.promptTokens === undefined;
  const completionTokens = summary.completionTokens ?? (await countTextTokens(options.deliveredText));
  const promptTokens =
    summary.promptTokens ??
    (summary.deployment === undefined && completionTokens === 0
      ? 0
      : await countTextTokens(collectPromptText(summary.body)));
  const model = summary.model ?? 'unknown';
  const deployment = summary.deployment ?? null;
  const price = options.priceOf(deployment, model);
  return {
    time: start.startedAt,
    requestId: start.requestId,
    identity: start.identity,
    route: start.route,
    model,
    deployment,
    stream: summary.stream,
    promptTokens,
    completionTokens,
    costUsd: price ? estimateCost({ prompt_tokens: promptTokens, completion_tokens: completionTokens }, price) : 0,
    ttftMs: summary.timeToFirstTokenMs ?? null,
    durationMs: Math.round(summary.durationMs * 100) / 100,
    outcome: summary.outcome,
    status: summary.status,
    partial: summary.stream && summary.outcome !== 'success',
    estimated,
    failover: summary.failovers > 0,
    hedged: summary.hedged,
    errorCode: summary.errorCode ?? null,
  };
}
