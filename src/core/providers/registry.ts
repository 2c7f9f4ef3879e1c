import { anthropicAdapter } from './anthropic/anthropic-adapter.js';
import { googleAdapter } from './google/google-adapter.js';
import { openaiAdapter } from './openai/openai-adapter.js';
import { openaiCompatibleAdapter } from './openai-compatible/openai-compatible-adapter.js';
import type { Provider, ProviderAdapter, ProviderConfig, ProviderType } from './provider.js';
import { createHttpProvider } from './shared/create-http-provider.js';

/** The one place that lists providers: protocol type → adapter. Nothing else switches on a provider type. */
export const providerAdapters: Readonly<Record<ProviderType, ProviderAdapter>> = {
  openai: openaiAdapter,
  anthropic: anthropicAdapter,
  google: googleAdapter,
  'openai-compatible': openaiCompatibleAdapter,
};

export const providerTypes = Object.keys(providerAdapters) as ProviderType[];

export function isProviderType(value: string): value is ProviderType {
  return Object.hasOwn(providerAdapters, value);
}

/** Creates a ready-to-call provider from one configured entry. */
export function createProvider(config: ProviderConfig): Provider {
  return createHttpProvider(providerAdapters[config.type], config);
}

/**
 * Bare model names that route to a protocol without any configuration (`gpt-4o` → openai, `claude-…` → anthropic,
 * `gemini-…` → google). OpenAI-compatible servers have no recognizable names: they need a prefix or a model entry.
 */
export const modelNamePatterns: Readonly<Record<ProviderType, RegExp | undefined>> = {
  openai: /^(gpt-|o1|o3|o4|chatgpt-)/,
  anthropic: /^claude-/,
  google: /^gemini-/,
  'openai-compatible': undefined,
};

/** Whether the protocol needs an API key (local OpenAI-compatible servers often do not). */
export function requiresApiKey(type: ProviderType): boolean {
  return type !== 'openai-compatible';
}
