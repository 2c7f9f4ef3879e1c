import type { ProviderType } from '../providers/provider.js';
import { requiresApiKey } from '../providers/registry.js';
import type { DeploymentEntry, ModelEntry, RouterConfig } from './config-schema.js';

/** The upstream models a virtual model picks per protocol: a strong and a fast one. */
const familyModels: Partial<Record<ProviderType, { strong: string; fast: string }>> = {
  anthropic: { strong: 'claude-sonnet-4-5', fast: 'claude-haiku-4-5' },
  openai: { strong: 'gpt-4o', fast: 'gpt-4o-mini' },
  google: { strong: 'gemini-2.5-pro', fast: 'gemini-2.5-flash' },
};

/** The virtual model names, in the order `/v1/models` lists them. */
export const virtualModelNames = [
  'auto',
  'cb:fastest',
  'cb:cost-optimal',
  'cb:smart-chat',
  'cb:coding',
  'cb:analysis',
  'cb:creative',
] as const;

/**
 * The default virtual models, built over whatever providers are configured with credentials (one provider per
 * protocol: the first of each type): `auto` (strong models, priority), `cb:fastest` (fast models, lowest TTFT),
 * `cb:cost-optimal` (all, cheapest first), `cb:smart-chat` (strong, lowest TTFT, hedged at p95), and task models
 * whose provider order suits the task: `cb:coding` (Claude first), `cb:analysis` (Gemini's long context first),
 * `cb:creative` (Claude, then GPT). The user's `models` override any of these by name.
 */
export function createDefaultModels(config: RouterConfig): Record<string, ModelEntry> {
  const byType = new Map<ProviderType, string>();
  for (const [name, entry] of Object.entries(config.providers)) {
    if (!familyModels[entry.type] || byType.has(entry.type)) continue;
    if (requiresApiKey(entry.type) && !entry.api_key) continue;
    byType.set(entry.type, name);
  }
  if (byType.size === 0) return {};
  const pick = (kind: 'strong' | 'fast', order: ProviderType[]): DeploymentEntry[] =>
    order.flatMap((type) => {
      const provider = byType.get(type);
      const family = familyModels[type];
      return provider && family ? [{ provider, model: family[kind] }] : [];
    });
  const configured = [...byType.keys()];
  const all = (order: ProviderType[]) => [...pick('strong', order), ...pick('fast', order)];
  const sorted = (...order: ProviderType[]) => [...order, ...configured.filter((type) => !order.includes(type))];
  return {
    auto: {
      description: 'Circuit Breaker: the strong model of every configured provider, in priority order',
      strategy: 'priority',
      deployments: pick('strong', configured),
    },
    'cb:fastest': {
      description: 'Circuit Breaker: the fast models, lowest recent time to first token first',
      strategy: 'latency',
      deployments: pick('fast', configured),
    },
    'cb:cost-optimal': {
      description: 'Circuit Breaker: every model, cheapest first',
      strategy: 'cost',
      deployments: all(configured),
    },
    'cb:smart-chat': {
      description: 'Circuit Breaker: strong models, lowest latency first, hedged at their p95 time to first token',
      strategy: 'latency',
      hedge_after_ms: 'auto',
      deployments: pick('strong', configured),
    },
    'cb:coding': {
      description: 'Circuit Breaker task model: coding (Claude first)',
      strategy: 'priority',
      deployments: pick('strong', sorted('anthropic', 'openai', 'google')),
    },
    'cb:analysis': {
      description: 'Circuit Breaker task model: analysis of long inputs (Gemini first)',
      strategy: 'priority',
      deployments: pick('strong', sorted('google', 'anthropic', 'openai')),
    },
    'cb:creative': {
      description: 'Circuit Breaker task model: creative writing (Claude, then GPT)',
      strategy: 'priority',
      deployments: pick('strong', sorted('anthropic', 'openai', 'google')),
    },
  };
}
