import type { Router } from '../../core/router/create-router.js';
import type { DeploymentHealth, DeploymentHealthTracker } from './deployment-health.js';
import type { LabelBounds } from './label-bounds.js';
import type { CompletionObserver } from './observed-completion.js';
import type { UsageRecord } from './usage-record.js';

/** One line of the dashboard's activity feed. */
export interface ActivityItem {
  time: number;
  kind: 'error' | 'retry' | 'fallback' | 'failover' | 'hedge' | 'circuit' | 'request';
  /** Short human text; configured names and codes only, never content. */
  text: string;
  deployment?: string;
  /** For `circuit`: the new state. */
  state?: 'open' | 'half-open' | 'closed';
}

/** A stream in flight as the dashboard shows it. */
export interface LiveStream {
  id: string;
  route: string;
  model: string;
  deployment: string | undefined;
  startedAt: number;
  tokens: number;
}

/** One second of the charts: mean time to first token of streams that started producing, and tokens delivered. */
export interface SeriesPoint {
  time: number;
  ttftMs: number | null;
  tokensPerSecond: number;
}

/** What `/dashboard/events` pushes once a second. */
export interface LiveSnapshot {
  time: number;
  startedAt: number;
  totals: {
    requests: number;
    errors: number;
    promptTokens: number;
    completionTokens: number;
    costUsd: number;
    activeStreams: number;
  };
  deployments: DeploymentHealth[];
  streams: LiveStream[];
  series: SeriesPoint[];
  feed: ActivityItem[];
  /** Where breakers, limits and sessions live (memory, or Redis shared with other instances) and whether it is up. */
  state?: SharedStateReport;
}

/** The shared-state backend as `/ready` and the dashboard show it (`degraded`: Redis away, local state serves). */
export interface SharedStateReport {
  backend: 'memory' | 'redis';
  health: 'up' | 'degraded';
}

export interface LiveStateOptions {
  router: Router;
  bounds: LabelBounds;
  health: DeploymentHealthTracker;
  /** Seconds of chart history kept. Default 300. */
  historySeconds?: number;
  /** Activity items kept. Default 60. */
  feedSize?: number;
  /** The shared-state backend's status, for the snapshot. */
  sharedState?: () => SharedStateReport;
}

/**
 * The dashboard's model: a one-second ticker folds the streams' token counters into a chart series, the router's
 * events become an activity feed, and subscribers (the SSE endpoint) get a snapshot per tick plus each activity item
 * as it happens. The per-chunk path only increments two counters.
 */
export function createLiveState(options: LiveStateOptions) {
  const { router, bounds, health } = options;
  const historySeconds = options.historySeconds ?? 300;
  const feedSize = options.feedSize ?? 60;
  const startedAt = Date.now();
  const streams = new Map<string, LiveStream>();
  const servedBy = new Map<string, string>();
  const series: SeriesPoint[] = [];
  const feed: ActivityItem[] = [];
  const totals = { requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
  const snapshotListeners = new Set<(snapshot: LiveSnapshot) => void>();
  const activityListeners = new Set<(item: ActivityItem) => void>();
  const endListeners = new Set<() => void>();
  let tokensThisTick = 0;
  let ttftSumThisTick = 0;
  let ttftCountThisTick = 0;

  const publish = (item: ActivityItem) => {
    feed.push(item);
    if (feed.length > feedSize) feed.splice(0, feed.length - feedSize);
    for (const listener of activityListeners) listener(item);
  };

  router.on('first-token', (event) => {
    servedBy.set(event.requestId, bounds.deployment(event.deployment));
    ttftSumThisTick += event.timeToFirstTokenMs;
    ttftCountThisTick++;
  });
  router.on('request-end', (event) => servedBy.delete(event.requestId));
  router.on('attempt-failure', (event) => {
    if (event.error.code === 'CANCELLED') return;
    publish({
      time: Date.now(),
      kind: 'error',
      deployment: bounds.deployment(event.deployment),
      text: `${bounds.deployment(event.deployment)} failed: ${event.error.code}${event.error.status ? ` (${event.error.status})` : ''}`,
    });
  });
  router.on('retry', (event) =>
    publish({
      time: Date.now(),
      kind: 'retry',
      deployment: bounds.deployment(event.deployment),
      text: `retry #${event.attempt} on ${bounds.deployment(event.deployment)} in ${Math.round(event.delayMs)} ms`,
    }),
  );
  router.on('fallback', (event) =>
    publish({
      time: Date.now(),
      kind: 'fallback',
      deployment: bounds.deployment(event.to),
      text: `fallback ${bounds.deployment(event.from)} → ${bounds.deployment(event.to)}`,
    }),
  );
  router.on('failover', (event) =>
    publish({
      time: Date.now(),
      kind: 'failover',
      deployment: bounds.deployment(event.to),
      text: `failover ${bounds.deployment(event.from)} → ${bounds.deployment(event.to)} after ${event.deliveredCharacters} chars`,
    }),
  );
  router.on('hedge', (event) =>
    publish({
      time: Date.now(),
      kind: 'hedge',
      deployment: bounds.deployment(event.hedge),
      text: `hedge ${bounds.deployment(event.primary)} + ${bounds.deployment(event.hedge)}`,
    }),
  );
  const circuit = (state: 'open' | 'half-open' | 'closed') => (event: { deployment: string }) =>
    publish({
      time: Date.now(),
      kind: 'circuit',
      state,
      deployment: bounds.deployment(event.deployment),
      text: `circuit ${state} on ${bounds.deployment(event.deployment)}`,
    });
  router.on('circuit-open', circuit('open'));
  router.on('circuit-half-open', circuit('half-open'));
  router.on('circuit-close', circuit('closed'));

  const observer: CompletionObserver = {
    streamStarted(request) {
      const { start } = request;
      request.live = {
        id: start.requestId,
        route: start.route,
        model: '',
        deployment: undefined,
        startedAt: start.startedAt,
        tokens: 0,
      };
      streams.set(start.requestId, request.live);
    },
    chunksWritten(request, chunks) {
      const live = request.live;
      if (!live) return;
      if (live.tokens === 0) {
        live.model = bounds.model(chunks[0].model);
        live.deployment = servedBy.get(chunks[0].id);
      }
      live.tokens += chunks.length;
      tokensThisTick += chunks.length;
    },
    requestEnded(request, summary) {
      streams.delete(request.start.requestId);
      request.live = undefined;
      totals.requests++;
      if (summary.outcome === 'error') totals.errors++;
    },
  };

  const snapshot = (): LiveSnapshot => ({
    time: Date.now(),
    startedAt,
    totals: { ...totals, activeStreams: streams.size },
    deployments: health.list(),
    streams: [...streams.values()].map((stream) => ({ ...stream })),
    series: series.slice(),
    feed: feed.slice(-30),
    ...(options.sharedState ? { state: options.sharedState() } : {}),
  });

  const tick = () => {
    series.push({
      time: Date.now(),
      ttftMs: ttftCountThisTick > 0 ? Math.round(ttftSumThisTick / ttftCountThisTick) : null,
      tokensPerSecond: tokensThisTick,
    });
    if (series.length > historySeconds) series.splice(0, series.length - historySeconds);
    tokensThisTick = 0;
    ttftSumThisTick = 0;
    ttftCountThisTick = 0;
    if (snapshotListeners.size === 0) return;
    const current = snapshot();
    for (const listener of snapshotListeners) listener(current);
  };
  const timer = setInterval(tick, 1000);
  timer.unref();

  return {
    observer,
    snapshot,
    /** Adds a finished request's tokens and cost to the header totals. */
    recordUsage(record: UsageRecord) {
      totals.promptTokens += record.promptTokens;
      totals.completionTokens += record.completionTokens;
      totals.costUsd += record.costUsd;
    },
    /** Snapshot per tick and activity as it happens; returns the unsubscribe. */
    subscribe(listeners: {
      snapshot(value: LiveSnapshot): void;
      activity(item: ActivityItem): void;
      /** The gateway is stopping: end the subscriber's response. */
      end(): void;
    }): () => void {
      snapshotListeners.add(listeners.snapshot);
      activityListeners.add(listeners.activity);
      endListeners.add(listeners.end);
      return () => {
        snapshotListeners.delete(listeners.snapshot);
        activityListeners.delete(listeners.activity);
        endListeners.delete(listeners.end);
      };
    },
    /** Stops the ticker and ends every subscriber (so an open dashboard never holds up a graceful shutdown). */
    close() {
      clearInterval(timer);
      for (const end of [...endListeners]) end();
      snapshotListeners.clear();
      activityListeners.clear();
      endListeners.clear();
    },
  };
}

export type LiveState = ReturnType<typeof createLiveState>;
