import { providerAdapters, providerTypes } from '../providers/registry.js';
import type { RouterConfigInput } from './config-schema.js';
import type { Environment } from './interpolate-env.js';

/**
 * With no config: one provider per protocol whose key is in the environment (`OPENAI_API_KEY`, `ANTHROPIC_API_KEY`,
 * `GOOGLE_API_KEY`/`GEMINI_API_KEY`), named after its type, base URLs from `*_BASE_URL` (OpenAI's includes `/v1`,
 * Anthropic's and Google's are the bare origin, as in the official SDKs).
 */
export function configFromEnvironment(env: Environment): RouterConfigInput {
  const providers: NonNullable<RouterConfigInput['providers']> = {};
  for (const type of providerTypes) {
    const variables = providerAdapters[type].environment;
    if (!variables) continue;
    const apiKey = firstSet(env, variables.apiKey);
    const baseUrl = firstSet(env, variables.baseUrl);
    if (apiKey === undefined && baseUrl === undefined) continue;
    providers[type] = { type, ...(apiKey ? { api_key: apiKey } : {}), ...(baseUrl ? { base_url: baseUrl } : {}) };
  }
  return { providers, models: {} };
}

function firstSet(env: Environment, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value) return value;
  }
  return undefined;
}
