import { CircuitBreakerError } from '../errors/circuit-breaker-error.js';
import { NoDeploymentAvailableError } from '../errors/resilience-errors.js';
import { computeRetryDelay, sleep } from '../resilience/backoff.js';
import { isDeploymentFailure } from '../resilience/classify-failure.js';
import type { Clock } from '../resilience/clock.js';
import type { CircuitBreakerRegistry, GrantedPermit } from '../resilience/create-circuit-breaker-registry.js';
import { lookupPrice } from '../resilience/price-table.js';
import { orderDeployments } from '../resilience/select-deployments.js';
import type { RoutingExtension } from '../types/chat-request.js';
import type { DeploymentMonitor } from './create-deployment-monitor.js';
import type { Deployment, Route } from './resolve-model.js';
import type { ModelSettings, ResilienceSettings } from './resolve-resilience-settings.js';
import type { RouterEventEmitter } from './router-events.js';

/** One upstream request the planner admitted: a deployment, its breaker permit and the settings of its model. */
export interface PlannedAttempt {
  deployment: Deployment;
  /** The model (requested or fallback) the deployment belongs to. */
  modelName: string;
  settings: ModelSettings;
  permit: GrantedPermit;
  /** 1-based count of upstream requests this caller request has made. */
  attempt: number;
}

/** What to do after a failed attempt. */
export type FailureVerdict = { action: 'continue' } | { action: 'stop'; error: CircuitBreakerError };

export interface AttemptPlannerOptions {
  requestId: string;
  route: Route;
  extension: RoutingExtension | undefined;
  resolve: (model: string) => Route;
  settings: ResilienceSettings;
  breakers: CircuitBreakerRegistry;
  monitor: DeploymentMonitor;
  events: RouterEventEmitter;
  clock: Clock;
  random: () => number;
  signal: AbortSignal;
  /** The failure that last opened a deployment's circuit, as this instance saw it. */
  openingFailure: (key: string) => CircuitBreakerError | undefined;
}

interface ModelGroup {
  modelName: string;
  settings: ModelSettings;
  remaining: Deployment[];
}

/**
 * The before-first-content plan of one request: which deployment to send to next, and when. Order: retries of the
 * same deployment (full-jitter backoff, retry-after as a floor, a retry-after beyond `max_delay_ms` moves on), then
 * the model's next deployment in strategy order, then the fallback models (the request's `fallback_models` first,
 * then the model's `fallbacks`), each deployment at most once. Open circuits are skipped without a request.
 * A context-length error switches to the model's `context_window_fallbacks`. Caller errors and cancellations stop.
 */
export function createAttemptPlanner(options: AttemptPlannerOptions) {
  const { settings, breakers, events, clock, requestId, signal, extension } = options;
  const startedAt = clock.now();
  const primary = settings.model(options.route.entry);
  const pendingModels: string[] = [...(extension?.fallback_models ?? []), ...primary.fallbacks];
  const used = new Set<string>();
  const retriesUsed = new Map<string, number>();
  const errors: unknown[] = [];
  /** Where the errors came from (deployment keys, or a fallback model name that did not resolve). */
  const errorSources = new Set<string>();
  const recordError = (source: string, error: unknown) => {
    errors.push(error);
    errorSources.add(source);
  };
  let group: ModelGroup | undefined = startGroup(options.route.requestedModel, options.route);
  let pendingRetry: { attempt: PlannedAttempt; delayMs: number } | undefined;
  let lastFailed: string | undefined;
  let contextSwitched = false;
  let attempts = 0;

  function startGroup(modelName: string, route: Route): ModelGroup {
    const modelSettings = settings.model(route.entry);
    const now = clock.now();
    const eligible = route.deployments.filter((deployment) => withinConstraints(deployment));
    for (const deployment of route.deployments) options.monitor.register(deployment);
    const ordered = orderDeployments(eligible, extension?.routing_strategy ?? modelSettings.strategy, {
      stats: options.monitor.stats,
      breakers: breakers.getState,
      prices: settings.prices,
      random: options.random,
      now,
    });
    return { modelName, settings: modelSettings, remaining: ordered };
  }

  /** The request's `max_cost_per_1k_tokens` (mean of input and output price) and `max_latency_ms` (TTFT EWMA). */
  function withinConstraints(deployment: Deployment): boolean {
    if (extension?.max_cost_per_1k_tokens !== undefined) {
      const price = deployment.price ?? lookupPrice(deployment.model, settings.prices);
      if (!price) return false;
      const per1k = (price.inputPerMillion + price.outputPerMillion) / 2 / 1000;
      if (per1k > extension.max_cost_per_1k_tokens) return false;
    }
    if (extension?.max_latency_ms !== undefined) {
      const ewma = options.monitor.stats(deployment.key)?.ttftEwmaMs;
      if (ewma !== null && ewma !== undefined && ewma > extension.max_latency_ms) return false;
    }
    return true;
  }

  function nextCandidate(): { deployment: Deployment; group: ModelGroup } | undefined {
    for (;;) {
      if (group) {
        const deployment = group.remaining.shift();
        if (deployment) {
          if (used.has(deployment.key)) continue;
          return { deployment, group };
        }
      }
      const modelName = pendingModels.shift();
      if (modelName === undefined) return undefined;
      try {
        group = startGroup(modelName, options.resolve(modelName));
      } catch (error) {
        recordError(modelName, error);
        group = undefined;
      }
    }
  }

  function admit(deployment: Deployment, from: ModelGroup | PlannedAttempt, permit: GrantedPermit): PlannedAttempt {
    attempts++;
    used.add(deployment.key);
    const modelName = from.modelName;
    if (lastFailed !== undefined && lastFailed !== deployment.key) {
      events.emit({ type: 'fallback', requestId, from: lastFailed, to: deployment.key });
    }
    lastFailed = undefined;
    events.emit({ type: 'attempt-start', requestId, deployment: deployment.key, attempt: attempts });
    return { deployment, modelName, settings: from.settings, permit, attempt: attempts };
  }

  function withinLimits(extraMs = 0): boolean {
    return attempts < settings.retry.maxAttemptsTotal && clock.now() - startedAt + extraMs < settings.retry.maxTotalMs;
  }

  return {
    get attempts(): number {
      return attempts;
    },
    /** Settings of the requested model. */
    primary,
    /**
     * The next attempt, after any backoff wait; undefined when nothing is left (or a limit is reached).
     * `newDeployment` skips a pending retry (a hedge wants another deployment, not the same one again).
     */
    async next(nextOptions: { newDeployment?: boolean } = {}): Promise<PlannedAttempt | undefined> {
      if (pendingRetry && !nextOptions.newDeployment) {
        const retry = pendingRetry;
        pendingRetry = undefined;
        if (withinLimits(retry.delayMs)) {
          const key = retry.attempt.deployment.key;
          events.emit({
            type: 'retry',
            requestId,
            deployment: key,
            attempt: retry.attempt.attempt,
            delayMs: retry.delayMs,
          });
          await sleep(retry.delayMs, { signal, clock });
          const permit = breakers.acquire(key);
          if (permit.allowed) {
            retriesUsed.set(key, (retriesUsed.get(key) ?? 0) + 1);
            used.delete(key);
            lastFailed = undefined;
            return admit(retry.attempt.deployment, retry.attempt, permit);
          }
          recordError(key, permit.error);
        }
      }
      for (;;) {
        if (!withinLimits()) return undefined;
        const candidate = nextCandidate();
        if (!candidate) return undefined;
        const permit = breakers.acquire(candidate.deployment.key);
        if (!permit.allowed) {
          recordError(candidate.deployment.key, options.openingFailure(candidate.deployment.key) ?? permit.error);
          continue;
        }
        return admit(candidate.deployment, candidate.group, permit);
      }
    },

    /**
     * Records a failed attempt on its breaker and stats and says what next. `retry: false` (a mid-stream failure,
     * a hedge) never schedules a retry of that deployment.
     */
    failed(
      attempt: PlannedAttempt,
      error: CircuitBreakerError,
      failedOptions: { retry?: boolean; failover?: boolean } = {},
    ): FailureVerdict {
      const failureClass = attempt.permit.failure(error);
      const key = attempt.deployment.key;
      if (isDeploymentFailure(failureClass)) options.monitor.failed(key);
      events.emit({ type: 'attempt-failure', requestId, deployment: key, attempt: attempt.attempt, error });
      recordError(key, error);
      switch (failureClass) {
        case 'cancelled':
        case 'caller':
          return { action: 'stop', error };
        case 'context_length': {
          if (contextSwitched || attempt.settings.contextWindowFallbacks.length === 0) return { action: 'stop', error };
          contextSwitched = true;
          pendingRetry = undefined;
          group = undefined;
          pendingModels.splice(0, pendingModels.length, ...attempt.settings.contextWindowFallbacks);
          lastFailed = key;
          return { action: 'continue' };
        }
        case 'misconfigured':
          lastFailed = key;
          return { action: 'continue' };
        case 'transient': {
          // A mid-stream failover reports itself with its own event, not as a fallback.
          if (!failedOptions.failover) lastFailed = key;
          if (failedOptions.retry === false || !error.retryable) return { action: 'continue' };
          const used = retriesUsed.get(key) ?? 0;
          if (used >= settings.retry.attempts) return { action: 'continue' };
          const delay = computeRetryDelay({
            attempt: used + 1,
            baseDelayMs: settings.retry.baseDelayMs,
            maxDelayMs: settings.retry.maxDelayMs,
            retryAfterMs: error.retryAfterMs,
            random: options.random,
          });
          if (!delay.moveOn) pendingRetry = { attempt, delayMs: delay.delayMs };
          return { action: 'continue' };
        }
      }
    },

    /**
     * The error for a request nothing could serve. A single deployment behaves as its provider (its own last
     * error, so a 429 stays a 429 with its retry-after); several become `NoDeploymentAvailableError` listing all.
     */
    exhausted(): CircuitBreakerError {
      const last = errors.at(-1);
      if (errorSources.size === 1 && last instanceof CircuitBreakerError) return last;
      return new NoDeploymentAvailableError({
        model: options.route.requestedModel,
        errors,
        message:
          errors.length === 0
            ? `No deployment of '${options.route.requestedModel}' is available within the request's constraints or limits`
            : undefined,
      });
    },
  };
}

export type AttemptPlanner = ReturnType<typeof createAttemptPlanner>;
