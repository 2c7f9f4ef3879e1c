import { ConfigError } from '../errors/request-errors.js';
import type { Provider, ProviderConfig } from '../providers/provider.js';
import { createProvider } from '../providers/registry.js';
import type { ChatCompletion } from '../types/chat-chunk.js';
import type { ChatCompletionRequest } from '../types/chat-request.js';
import { ChatCompletionStream } from './chat-completion-stream.js';
import { configFromEnvironment } from './config-from-environment.js';
import { type RouterConfig, type RouterConfigInput, routerConfigSchema } from './config-schema.js';
import { defaultEnvironment, type Environment, interpolateEnv } from './interpolate-env.js';
import { type Route, resolveModel } from './resolve-model.js';
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
  const resolved = parsed.data;
  const events = createRouterEventEmitter();
  const providers = new Map<string, Provider>();
  for (const [name, entry] of Object.entries(resolved.providers)) {
    const providerConfig: ProviderConfig = {
      name,
      type: entry.type,
      baseUrl: entry.base_url,
      apiKey: entry.api_key || undefined,
      headers: entry.headers,
      fetch: options.fetch,
    };
    providers.set(name, createProvider(providerConfig));
  }

  const prepare = (input: unknown) => {
    const request = validateChatCompletionRequest(input);
    const route = resolveModel(request.model, resolved);
    return { request, route, requestId: `chatcmpl-${crypto.randomUUID()}`, created: Math.floor(Date.now() / 1000) };
  };

  return {
    config: resolved,
    resolve: (model) => resolveModel(model, resolved),
    streamChatCompletion(input, requestOptions = {}) {
      const { request, route, requestId, created } = prepare(input);
      return new ChatCompletionStream({
        id: requestId,
        requestedModel: request.model,
        signal: requestOptions.signal,
        run: (signal, state) =>
          runStreamAttempts({
            requestId,
            request,
            candidates: route.deployments,
            providers,
            events,
            signal,
            state,
            created,
          }),
      });
    },
    async chatCompletion(input, requestOptions = {}) {
      const { request, route, requestId, created } = prepare(input);
      const controller = new AbortController();
      const outer = requestOptions.signal;
      if (outer?.aborted) controller.abort(outer.reason);
      outer?.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
      return runCompletionAttempts({
        requestId,
        request,
        candidates: route.deployments,
        providers,
        events,
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
    on: events.on,
  };
}
