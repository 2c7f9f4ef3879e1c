import { CircuitBreakerError } from '../errors/circuit-breaker-error.js';
import { ConfigError } from '../errors/request-errors.js';
import type { HttpTransport, Provider, ProviderConfig } from '../providers/provider.js';
import { createProvider } from '../providers/registry.js';
import type { AbortSignalLike } from '../resilience/abort-signal-like.js';
import { type Clock, systemClock } from '../resilience/clock.js';
import { createCircuitBreakerRegistry } from '../resilience/create-circuit-breaker-registry.js';
import { createMemoryStateStore } from '../state/memory-state-store.js';
import type { StateStore } from '../state/state-store.js';
import type { ChatCompletion } from '../types/chat-chunk.js';
import type { ChatCompletionRequest } from '../types/chat-request.js';
import { ChatCompletionStream } from './chat-completion-stream.js';
import { configFromEnvironment } from './config-from-environment.js';
import { type RouterConfig, type RouterConfigInput, routerConfigSchema } from './config-schema.js';
import { createAttemptPlanner } from './create-attempt-planner.js';
import { createDeploymentMonitor, type DeploymentSnapshot } from './create-deployment-monitor.js';
import { createDefaultModels } from './default-models.js';
import { followAbort } from './follow-abort.js';
import { defaultEnvironment, type Environment, interpolateEnv } from './interpolate-env.js';
import { type Route, resolveModel } from './resolve-model.js';
import { resolveResilienceSettings } from './resolve-resilience-settings.js';
import {
  createRouterEventEmitter,
  type RouterEvent,
  type RouterEventListener,
  type RouterEventType,
} from './router-events.js';
import { runCompletionAttempts } from './run-completion-attempts.js';
import { runStreamAttempts } from './run-stream-attempts.js';
import { validateChatCompletionRequest } from './validate-request.js';

export interface RouterOptions {
  /** Environment for `${VAR}` interpolation and the no-config defaults; `process.env` where there is one. */
  env?: Environment;
  /** Injectable fetch for every provider (tests, custom dispatchers). */
  fetch?: typeof fetch;
  /** Every provider's HTTP client when not `fetch` (the Node gateway's node:http client; see `ProviderConfig`). */
  transport?: HttpTransport;
  /**
   * Where circuit breakers and deployment stats live. Defaults to an in-memory store; a shared store (Redis)
   * lets several gateway instances see the same open circuits.
   */
  store?: StateStore;
  /** Time for breakers, backoff, timeouts and hedging (tests inject a manual clock). */
  clock?: Clock;
  /** [0, 1) source for jitter and weighted picks (seed it for reproducible runs). */
  random?: () => number;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface ModelListing {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  description?: string;
}

export interface Router {
  /** Validated and resolved at once (throws a typed error); the upstream call starts when iteration starts. */
  streamChatCompletion(request: ChatCompletionRequest | unknown, options?: RequestOptions): ChatCompletionStream;
  chatCompletion(request: ChatCompletionRequest | unknown, options?: RequestOptions): Promise<ChatCompletion>;
  /** Model name → route, without calling anything (for headers, `/v1/models`, errors before a stream starts). */
  resolve(model: string): Route;
  listModels(): ModelListing[];
  /** Every known deployment: circuit state, recent failures, latency (EWMA, p95), in-flight, rate-limit headroom. */
  deployments(): DeploymentSnapshot[];
  on<T extends RouterEventType | '*'>(
    type: T,
    listener: T extends RouterEventType ? RouterEventListener<T> : (event: RouterEvent) => void,
  ): () => void;
  readonly config: RouterConfig;
}

/**
 * Creates a router. With no config, providers come from the environment (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`,
 * `GOOGLE_API_KEY`/`GEMINI_API_KEY` and their `*_BASE_URL`s).
 */
export function createRouter(config?: RouterConfigInput, options: RouterOptions = {}): Router {
  const env = options.env ?? defaultEnvironment();
  const parsed = routerConfigSchema.safeParse(interpolateEnv(config ?? configFromEnvironment(env), env));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.map(String).join('.');
    throw new ConfigError(`Invalid config at ${path || '(root)'}: ${issue.message}`, { param: path });
  }
  const resolved: RouterConfig = { ...parsed.data, models: withDefaultModels(parsed.data) };
  const events = createRouterEventEmitter();
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const store = options.store ?? createMemoryStateStore();
  const settings = resolveResilienceSettings(resolved);
  const breakers = createCircuitBreakerRegistry({ store, config: settings.breaker, clock });
  const monitor = createDeploymentMonitor({ store, breakers, clock, windowMs: settings.breaker.windowMs });
  /** Why a deployment was found misconfigured (401/403): told to callers while its circuit stays open. */
  const misconfigured = new Map<string, CircuitBreakerError>();
  breakers.on('circuit-open', (event) => {
    if (event.reason === 'misconfigured' && event.error instanceof CircuitBreakerError) {
      misconfigured.set(event.deployment, event.error);
    }
    events.emit({ type: 'circuit-open', deployment: event.deployment, cooldownMs: event.cooldownMs });
  });
  breakers.on('circuit-half-open', (event) => events.emit({ type: 'circuit-half-open', deployment: event.deployment }));
  breakers.on('circuit-close', (event) => {
    misconfigured.delete(event.deployment);
    events.emit({ type: 'circuit-close', deployment: event.deployment });
  });
  const resolve = (model: string) => resolveModel(model, resolved);
  for (const name of Object.keys(resolved.models)) {
    try {
      for (const deployment of resolve(name).deployments) monitor.register(deployment);
    } catch {
      // A model whose provider has no key yet: it shows up once it is usable.
    }
  }
  const providers = new Map<string, Provider>();
  for (const [name, entry] of Object.entries(resolved.providers)) {
    const providerConfig: ProviderConfig = {
      name,
      type: entry.type,
      baseUrl: entry.base_url,
      apiKey: entry.api_key || undefined,
      headers: entry.headers,
      fetch: options.fetch,
      transport: options.transport,
    };
    providers.set(name, createProvider(providerConfig));
  }

  const prepare = (input: unknown) => {
    const request = validateChatCompletionRequest(input);
    const route = resolve(request.model);
    const requestId = `chatcmpl-${crypto.randomUUID()}`;
    const plan = (signal: AbortSignalLike) =>
      createAttemptPlanner({
        requestId,
        route,
        extension: request.circuit_breaker,
        resolve,
        settings,
        breakers,
        monitor,
        events,
        clock,
        random,
        signal,
        openingFailure: (key) => (breakers.getState(key)?.state === 'open' ? misconfigured.get(key) : undefined),
      });
    return { request, plan, requestId, created: Math.floor(Date.now() / 1000) };
  };

  return {
    config: resolved,
    resolve,
    streamChatCompletion(input, requestOptions = {}) {
      const { request, plan, requestId, created } = prepare(input);
      return new ChatCompletionStream({
        id: requestId,
        requestedModel: request.model,
        signal: requestOptions.signal,
        run: (signal, state) =>
          runStreamAttempts({
            requestId,
            request,
            planner: plan(signal),
            providers,
            monitor,
            events,
            clock,
            signal,
            state,
            created,
          }),
      });
    },
    async chatCompletion(input, requestOptions = {}) {
      const { request, plan, requestId, created } = prepare(input);
      const controller = followAbort(requestOptions.signal);
      return runCompletionAttempts({
        requestId,
        request,
        planner: plan(controller.signal),
        providers,
        monitor,
        events,
        clock,
        signal: controller.signal,
        created,
      });
    },
    listModels() {
      const created = 0;
      return Object.entries(resolved.models).map(([id, entry]) => ({
        id,
        object: 'model' as const,
        created,
        owned_by: 'circuit-breaker',
        ...(entry.description ? { description: entry.description } : {}),
      }));
    },
    deployments: () => monitor.snapshot(),
    on: events.on,
  };
}

/** The user's models first, then the default virtual models they did not override. */
function withDefaultModels(config: RouterConfig): RouterConfig['models'] {
  const models = { ...config.models };
  for (const [name, entry] of Object.entries(createDefaultModels(config))) {
    if (!Object.hasOwn(models, name)) models[name] = entry;
  }
  return models;
}
