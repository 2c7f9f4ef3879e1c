import { performance } from 'node:perf_hooks';
import type { Router } from '../../core/router/create-router.js';
import type { CompletionRoute } from './completion-observer.js';
import { createHistogramTallies, type HistogramTally } from './create-histogram-tallies.js';
import { circuitStateValue, type DeploymentHealthTracker } from './deployment-health.js';
import type { LabelBounds } from './label-bounds.js';
import type { CompletionObserver } from './observed-completion.js';
import { Counter, Gauge, Histogram, Registry } from './prom-client-classes.js';
import type { UsageRecord } from './usage-record.js';

/** Prometheus metrics of one gateway, in their own registry (never prom-client's global one). */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Per request: requests, active streams, inter-token latency. */
  readonly observer: CompletionObserver;
  /** Tokens and cost of a finished request (after the tokenizer filled in what the provider did not report). */
  recordUsage(record: UsageRecord): void;
  /** A request refused by a per-key limit (429). */
  recordLimited(route: string, limit: string): void;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

const secondsBuckets = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 2, 5, 10, 30];
const interTokenBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const durationBuckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * Creates the metrics and subscribes them to the router's events (STYLE rule 6: the router imports no metrics).
 * Labels are bounded by {@link LabelBounds}: configured names only, no ids, no user text.
 * @see https://prometheus.io/docs/practices/naming/
 */
export function createGatewayMetrics(options: {
  router: Router;
  bounds: LabelBounds;
  health: DeploymentHealthTracker;
}): GatewayMetrics {
  const { router, bounds, health } = options;
  const registry = new Registry();
  const registers = [registry];

  const requests = new Counter({
    name: 'circuit_breaker_requests_total',
    help: 'Completion requests by route, requested model (configured names; others collapse to "other"), serving deployment and outcome.',
    labelNames: ['route', 'model', 'deployment', 'outcome'],
    registers,
  });
  const requestDuration = new Histogram({
    name: 'circuit_breaker_request_duration_seconds',
    help: 'Completion request duration, from request start to the last byte, by route and stream mode.',
    labelNames: ['route', 'stream'],
    buckets: durationBuckets,
    registers,
  });
  const timeToFirstToken = new Histogram({
    name: 'circuit_breaker_time_to_first_token_seconds',
    help: 'Time from request start to the first content token, by serving deployment.',
    labelNames: ['deployment'],
    buckets: secondsBuckets,
    registers,
  });
  const interTokenLatency = new Histogram({
    name: 'circuit_breaker_inter_token_latency_seconds',
    help: 'Gap between consecutive streamed chunks written to the client, by route.',
    labelNames: ['route'],
    buckets: interTokenBuckets,
    registers,
    collect() {
      interTokenTallies.flush();
    },
  });
  // Counted per token in plain arrays, added to the histogram before each read (observe per token was 4 % of CPU).
  const interTokenTallies = createHistogramTallies(interTokenLatency, interTokenBuckets);
  const promptTokens = new Counter({
    name: 'circuit_breaker_prompt_tokens_total',
    help: 'Prompt (input) tokens, as reported by the provider or counted for partial streams.',
    labelNames: ['model', 'deployment'],
    registers,
  });
  const completionTokens = new Counter({
    name: 'circuit_breaker_completion_tokens_total',
    help: 'Completion (output) tokens delivered, as reported by the provider or counted for partial streams.',
    labelNames: ['model', 'deployment'],
    registers,
  });
  const cost = new Counter({
    name: 'circuit_breaker_cost_usd_total',
    help: 'Estimated cost in USD from the price table.',
    labelNames: ['model'],
    registers,
  });
  const activeStreams = new Gauge({
    name: 'circuit_breaker_active_streams',
    help: 'Streamed completions in flight.',
    labelNames: ['route'],
    registers,
  });
  new Gauge({
    name: 'circuit_breaker_circuit_state',
    help: 'Circuit breaker state per deployment: 0 closed, 1 half-open, 2 open.',
    labelNames: ['deployment'],
    registers,
    collect() {
      for (const deployment of health.list())
        this.set({ deployment: deployment.key }, circuitStateValue[deployment.state]);
    },
  });
  const retries = new Counter({
    name: 'circuit_breaker_retries_total',
    help: 'Retries of an attempt on the same deployment.',
    labelNames: ['deployment'],
    registers,
  });
  const fallbacks = new Counter({
    name: 'circuit_breaker_fallbacks_total',
    help: 'Moves to the next deployment or fallback model before the first token.',
    labelNames: ['from'],
    registers,
  });
  const failovers = new Counter({
    name: 'circuit_breaker_failovers_total',
    help: 'Mid-stream failovers: a stream continued on another deployment after content was delivered.',
    labelNames: ['from'],
    registers,
  });
  const hedges = new Counter({
    name: 'circuit_breaker_hedges_total',
    help: 'Hedged requests: a second deployment started because the first was slow.',
    labelNames: ['primary'],
    registers,
  });
  const upstreamErrors = new Counter({
    name: 'circuit_breaker_upstream_errors_total',
    help: 'Failed attempts by deployment and error code (UPSTREAM_STATUS, TIMEOUT_FIRST_TOKEN, CIRCUIT_OPEN, …).',
    labelNames: ['deployment', 'code'],
    registers,
  });
  const malformed = new Counter({
    name: 'circuit_breaker_malformed_events_total',
    help: 'Upstream stream events skipped because they could not be parsed.',
    labelNames: ['provider'],
    registers,
  });
  const limited = new Counter({
    name: 'circuit_breaker_limited_requests_total',
    help: 'Requests refused with 429 by a per-key limit (requests_per_minute, tokens_per_minute, budget_usd).',
    labelNames: ['route', 'limit'],
    registers,
  });
  for (const deployment of bounds.deployments) {
    upstreamErrors.inc({ deployment, code: 'UPSTREAM_STATUS' }, 0);
    timeToFirstToken.zero({ deployment });
  }

  router.on('first-token', (event) => {
    timeToFirstToken.observe({ deployment: bounds.deployment(event.deployment) }, event.timeToFirstTokenMs / 1000);
  });
  router.on('attempt-failure', (event) => {
    if (event.error.code === 'CANCELLED') return;
    upstreamErrors.inc({ deployment: bounds.deployment(event.deployment), code: event.error.code });
  });
  router.on('retry', (event) => retries.inc({ deployment: bounds.deployment(event.deployment) }));
  router.on('fallback', (event) => fallbacks.inc({ from: bounds.deployment(event.from) }));
  router.on('failover', (event) => failovers.inc({ from: bounds.deployment(event.from) }));
  router.on('hedge', (event) => hedges.inc({ primary: bounds.deployment(event.primary) }));
  router.on('malformed-event', (event) => malformed.inc({ provider: bounds.provider(event.provider) }));

  // Resolved once per route, so that neither a request nor a chunk does label work.
  const interTokenTally = {
    '/v1/chat/completions': interTokenTallies.tally({ route: '/v1/chat/completions' }),
    '/v1/messages': interTokenTallies.tally({ route: '/v1/messages' }),
  } satisfies Record<CompletionRoute, HistogramTally>;
  const observer: CompletionObserver = {
    streamStarted(request) {
      request.streaming = true;
      activeStreams.inc({ route: request.start.route });
    },
    chunksWritten(request, chunks) {
      // One clock read per upstream read: its chunks were written together, so after the first their gap is 0.
      const now = performance.now();
      const tally = interTokenTally[request.start.route];
      if (request.lastChunkAt !== 0) tally.observe((now - request.lastChunkAt) / 1000);
      if (chunks.length > 1) tally.observe(0, chunks.length - 1);
      request.lastChunkAt = now;
    },
    requestEnded(request, summary) {
      const route = request.start.route;
      if (request.streaming) activeStreams.dec({ route });
      requests.inc({
        route,
        model: bounds.model(summary.model),
        deployment: bounds.deployment(summary.deployment),
        outcome: summary.outcome,
      });
      requestDuration.observe({ route, stream: String(summary.stream) }, summary.durationMs / 1000);
    },
  };

  return {
    registry,
    observer,
    recordUsage(record) {
      const labels = {
        model: bounds.model(record.model),
        deployment: bounds.deployment(record.deployment ?? undefined),
      };
      promptTokens.inc(labels, record.promptTokens);
      completionTokens.inc(labels, record.completionTokens);
      if (record.costUsd > 0) cost.inc({ model: labels.model }, record.costUsd);
    },
    recordLimited(route, limit) {
      limited.inc({ route, limit });
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
