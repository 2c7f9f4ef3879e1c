import { ModelNotFoundError, ProviderNotConfiguredError } from '../errors/request-errors.js';
import type { ProviderType } from '../providers/provider.js';
import { modelNamePatterns, providerAdapters, providerTypes, requiresApiKey } from '../providers/registry.js';
import type { ModelPrice } from '../resilience/price-table.js';
import type { ModelEntry, Price, RouterConfig } from './config-schema.js';
import { toModelPrice } from './resolve-resilience-settings.js';

/** One routable target: a configured provider entry plus an upstream model. Each has its own circuit breaker. */
export interface Deployment {
  /** `provider/model`: stable identity used for breakers, stats, headers and metrics labels. */
  key: string;
  providerName: string;
  providerType: ProviderType;
  model: string;
  weight: number;
  /** The deployment's own price (config `price:`), for the `cost` strategy and cost caps. */
  price?: ModelPrice;
}

export interface Route {
  /** The model name the caller asked for. */
  requestedModel: string;
  /** The configured model entry, when the name is one (strategy, fallbacks, timeouts, …). */
  entry?: ModelEntry;
  deployments: Deployment[];
}

/**
 * Model name → deployments. In order: a configured model; an explicit `provider/model` prefix (a configured provider
 * name, or a protocol type); a recognizable name (`gpt-*`, `o1*`, `o3*`, `o4*`, `chatgpt-*`, `claude-*`, `gemini-*`).
 * An unknown model, or a provider without a key, is an error that says how to fix it.
 */
export function resolveModel(requestedModel: string, config: RouterConfig): Route {
  const entry = config.models[requestedModel];
  if (entry) {
    const all = entry.deployments.map((deployment) => {
      const provider = config.providers[deployment.provider];
      if (!provider) {
        throw new ModelNotFoundError(
          requestedModel,
          `Its deployment names provider '${deployment.provider}', which is not in the providers section.`,
        );
      }
      return createDeployment(deployment.provider, provider.type, deployment.model, deployment);
    });
    const usable = all.filter((deployment) => hasCredentials(deployment, config));
    if (usable.length === 0) throw missingKeyError(all[0], config);
    return { requestedModel, entry, deployments: usable };
  }

  const slash = requestedModel.indexOf('/');
  if (slash > 0) {
    const prefix = requestedModel.slice(0, slash);
    const model = requestedModel.slice(slash + 1);
    const named = config.providers[prefix];
    if (named) return singleRoute(requestedModel, createDeployment(prefix, named.type, model), config);
    if ((providerTypes as string[]).includes(prefix)) {
      const providerName = findProviderOfType(prefix as ProviderType, config);
      if (!providerName) throw notConfiguredForType(prefix as ProviderType);
      return singleRoute(requestedModel, createDeployment(providerName, prefix as ProviderType, model), config);
    }
  }

  for (const type of providerTypes) {
    if (!modelNamePatterns[type]?.test(requestedModel)) continue;
    const providerName = findProviderOfType(type, config);
    if (!providerName) throw notConfiguredForType(type);
    return singleRoute(requestedModel, createDeployment(providerName, type, requestedModel), config);
  }

  throw new ModelNotFoundError(
    requestedModel,
    'Use a provider prefix (openai/…, anthropic/…, google/…, <provider name>/…), a recognizable name (gpt-*, claude-*, gemini-*), or add it under models in the config.',
  );
}

function createDeployment(
  providerName: string,
  providerType: ProviderType,
  model: string,
  options: { weight?: number; price?: Price } = {},
): Deployment {
  return {
    key: `${providerName}/${model}`,
    providerName,
    providerType,
    model,
    weight: options.weight ?? 1,
    price: options.price ? toModelPrice(options.price) : undefined,
  };
}

function singleRoute(requestedModel: string, deployment: Deployment, config: RouterConfig): Route {
  if (!hasCredentials(deployment, config)) throw missingKeyError(deployment, config);
  return { requestedModel, deployments: [deployment] };
}

function hasCredentials(deployment: Deployment, config: RouterConfig): boolean {
  return !requiresApiKey(deployment.providerType) || Boolean(config.providers[deployment.providerName]?.api_key);
}

/** Prefers the provider named after the type (the environment config names them so), else the first of that type. */
function findProviderOfType(type: ProviderType, config: RouterConfig): string | undefined {
  if (config.providers[type]?.type === type) return type;
  return Object.keys(config.providers).find((name) => config.providers[name].type === type);
}

function missingKeyError(deployment: Deployment, config: RouterConfig): ProviderNotConfiguredError {
  const variables = providerAdapters[deployment.providerType].environment?.apiKey.join(' or ');
  const where = config.providers[deployment.providerName]
    ? `providers.${deployment.providerName}.api_key`
    : 'a provider';
  return new ProviderNotConfiguredError(
    deployment.providerName,
    `It has no API key: set ${where}${variables ? ` (for example \${${variables.split(' or ')[0]}})` : ''}${variables ? `, or export ${variables}` : ''}.`,
  );
}

function notConfiguredForType(type: ProviderType): ProviderNotConfiguredError {
  const variables = providerAdapters[type].environment?.apiKey.join(' or ');
  return new ProviderNotConfiguredError(
    type,
    `No ${type} provider is configured: ${variables ? `export ${variables}, or ` : ''}add one under providers with type: ${type}.`,
  );
}
