import { CircuitBreakerError } from '../errors/circuit-breaker-error.js';
import { NoDeploymentAvailableError } from '../errors/resilience-errors.js';
import type { AbortSignalLike } from '../resilience/abort-signal-like.js';
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
  signal: AbortSignalLike;
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
export function createAttemptPlanner(options: AttemptPlannerOptions): AttemptPlanner {
  return new AttemptPlanner(options);
}

/**
 * The planner of {@link createAttemptPlanner}. A class rather than an object literal of closures (with a getter,
 * which makes the literal a dictionary-mode object): a stream holds its planner for its whole life, and the
 * closures, their context and the dictionary cost ~1.9 KB per open stream (memory probe). What only failures need
 * (the errors, retry counts) is made on the first failure.
 */
export class AttemptPlanner {
  /** Settings of the requested model. */
  readonly primary: ModelSettings;
  /** 1-based count of upstream requests this caller request has made. */
  attempts = 0;
  readonly #options: AttemptPlannerOptions;
  readonly #startedAt: number;
  readonly #pendingModels: string[];
  readonly #used = new Set<string>();
  #retriesUsed: Map<string, number> | undefined = undefined;
  #errors: unknown[] | undefined = undefined;
  /** Where the errors came from (deployment keys, or a fallback model name that did not resolve). */
  #errorSources: Set<string> | undefined = undefined;
  #group: ModelGroup | undefined;
  #pendingRetry: { attempt: PlannedAttempt; delayMs: number } | undefined = undefined;
  #lastFailed: string | undefined = undefined;
  #contextSwitched = false;

  constructor(options: AttemptPlannerOptions) {
    this.#options = options;
    this.#startedAt = options.clock.now();
    this.primary = options.settings.model(options.route.entry);
    const fallbacks = options.extension?.fallback_models;
    this.#pendingModels = fallbacks ? [...fallbacks, ...this.primary.fallbacks] : [...this.primary.fallbacks];
    this.#group = this.#startGroup(options.route.requestedModel, options.route);
  }

  /**
   * The next attempt, after any backoff wait; undefined when nothing is left (or a limit is reached).
   * `newDeployment` skips a pending retry (a hedge wants another deployment, not the same one again).
   */
  async next(nextOptions: { newDeployment?: boolean } = {}): Promise<PlannedAttempt | undefined> {
    const { breakers, events, requestId, signal, clock } = this.#options;
    if (this.#pendingRetry && !nextOptions.newDeployment) {
      const retry = this.#pendingRetry;
      this.#pendingRetry = undefined;
      if (this.#withinLimits(retry.delayMs)) {
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
          this.#retriesUsed ??= new Map();
          this.#retriesUsed.set(key, (this.#retriesUsed.get(key) ?? 0) + 1);
          this.#used.delete(key);
          this.#lastFailed = undefined;
          return this.#admit(retry.attempt.deployment, retry.attempt, permit);
        }
        this.#recordError(key, permit.error);
      }
    }
    for (;;) {
      if (!this.#withinLimits()) return undefined;
      const candidate = this.#nextCandidate();
      if (!candidate) return undefined;
      const permit = breakers.acquire(candidate.deployment.key);
      if (!permit.allowed) {
        this.#recordError(
          candidate.deployment.key,
          this.#options.openingFailure(candidate.deployment.key) ?? permit.error,
        );
        continue;
      }
      return this.#admit(candidate.deployment, candidate.group, permit);
    }
  }

  /**
   * Records a failed attempt on its breaker and stats and says what next. `retry: false` (a mid-stream failure,
   * a hedge) never schedules a retry of that deployment.
   */
  failed(
    attempt: PlannedAttempt,
    error: CircuitBreakerError,
    failedOptions: { retry?: boolean; failover?: boolean } = {},
  ): FailureVerdict {
    const { settings, events, requestId } = this.#options;
    const failureClass = attempt.permit.failure(error);
    const key = attempt.deployment.key;
    if (isDeploymentFailure(failureClass)) this.#options.monitor.failed(key);
    events.emit({ type: 'attempt-failure', requestId, deployment: key, attempt: attempt.attempt, error });
    this.#recordError(key, error);
    switch (failureClass) {
      case 'cancelled':
      case 'caller':
        return { action: 'stop', error };
      case 'context_length': {
        if (this.#contextSwitched || attempt.settings.contextWindowFallbacks.length === 0)
          return { action: 'stop', error };
        this.#contextSwitched = true;
        this.#pendingRetry = undefined;
        this.#group = undefined;
        this.#pendingModels.splice(0, this.#pendingModels.length, ...attempt.settings.contextWindowFallbacks);
        this.#lastFailed = key;
        return { action: 'continue' };
      }
      case 'misconfigured':
        this.#lastFailed = key;
        return { action: 'continue' };
      case 'transient': {
        // A mid-stream failover reports itself with its own event, not as a fallback.
        if (!failedOptions.failover) this.#lastFailed = key;
        if (failedOptions.retry === false || !error.retryable) return { action: 'continue' };
        const used = this.#retriesUsed?.get(key) ?? 0;
        if (used >= settings.retry.attempts) return { action: 'continue' };
        const delay = computeRetryDelay({
          attempt: used + 1,
          baseDelayMs: settings.retry.baseDelayMs,
          maxDelayMs: settings.retry.maxDelayMs,
          retryAfterMs: error.retryAfterMs,
          random: this.#options.random,
        });
        if (!delay.moveOn) this.#pendingRetry = { attempt, delayMs: delay.delayMs };
        return { action: 'continue' };
      }
    }
  }

  /**
   * The error for a request nothing could serve. A single deployment behaves as its provider (its own last
   * error, so a 429 stays a 429 with its retry-after); several become `NoDeploymentAvailableError` listing all.
   */
  exhausted(): CircuitBreakerError {
    const errors = this.#errors ?? [];
    const last = errors.at(-1);
    if (this.#errorSources?.size === 1 && last instanceof CircuitBreakerError) return last;
    const { requestedModel } = this.#options.route;
    return new NoDeploymentAvailableError({
      model: requestedModel,
      errors,
      message:
        errors.length === 0
          ? `No deployment of '${requestedModel}' is available within the request's constraints or limits`
          : undefined,
    });
  }

  #recordError(source: string, error: unknown): void {
    this.#errors ??= [];
    this.#errors.push(error);
    this.#errorSources ??= new Set();
    this.#errorSources.add(source);
  }

  #startGroup(modelName: string, route: Route): ModelGroup {
    const { settings, monitor, extension } = this.#options;
    const modelSettings = settings.model(route.entry);
    const now = this.#options.clock.now();
    const eligible = route.deployments.filter((deployment) => this.#withinConstraints(deployment));
    for (const deployment of route.deployments) monitor.register(deployment);
    const ordered = orderDeployments(eligible, extension?.routing_strategy ?? modelSettings.strategy, {
      stats: monitor.stats,
      breakers: this.#options.breakers.getState,
      prices: settings.prices,
      random: this.#options.random,
      now,
    });
    return { modelName, settings: modelSettings, remaining: ordered };
  }

  /** The request's `max_cost_per_1k_tokens` (mean of input and output price) and `max_latency_ms` (TTFT EWMA). */
  #withinConstraints(deployment: Deployment): boolean {
    const { extension, settings, monitor } = this.#options;
    if (extension?.max_cost_per_1k_tokens !== undefined) {
      const price = deployment.price ?? lookupPrice(deployment.model, settings.prices);
      if (!price) return false;
      const per1k = (price.inputPerMillion + price.outputPerMillion) / 2 / 1000;
      if (per1k > extension.max_cost_per_1k_tokens) return false;
    }
    if (extension?.max_latency_ms !== undefined) {
      const ewma = monitor.stats(deployment.key)?.ttftEwmaMs;
      if (ewma !== null && ewma !== undefined && ewma > extension.max_latency_ms) return false;
    }
    return true;
  }

  #nextCandidate(): { deployment: Deployment; group: ModelGroup } | undefined {
    for (;;) {
      const group = this.#group;
      if (group) {
        const deployment = group.remaining.shift();
        if (deployment) {
          if (this.#used.has(deployment.key)) continue;
          return { deployment, group };
        }
      }
      const modelName = this.#pendingModels.shift();
      if (modelName === undefined) return undefined;
      try {
        this.#group = this.#startGroup(modelName, this.#options.resolve(modelName));
      } catch (error) {
        this.#recordError(modelName, error);
        this.#group = undefined;
      }
    }
  }

  #admit(deployment: Deployment, from: ModelGroup | PlannedAttempt, permit: GrantedPermit): PlannedAttempt {
    const { events, requestId } = this.#options;
    const attempts = ++this.attempts;
    this.#used.add(deployment.key);
    if (this.#lastFailed !== undefined && this.#lastFailed !== deployment.key) {
      events.emit({ type: 'fallback', requestId, from: this.#lastFailed, to: deployment.key });
    }
    this.#lastFailed = undefined;
    events.emit({ type: 'attempt-start', requestId, deployment: deployment.key, attempt: attempts });
    return { deployment, modelName: from.modelName, settings: from.settings, permit, attempt: attempts };
  }

  #withinLimits(extraMs = 0): boolean {
    const { retry } = this.#options.settings;
    return (
      this.attempts < retry.maxAttemptsTotal && this.#options.clock.now() - this.#startedAt + extraMs < retry.maxTotalMs
    );
  }
}
