import { defaultPriceTable } from '../../core/resilience/price-table.js';
import type { RouterConfig } from '../../core/router/config-schema.js';

/**
 * Keeps metric label values bounded (Prometheus cardinality): a model label is a configured model name or a model of
 * the built-in price table, else `other`; a deployment label is a configured deployment (`provider/model`) or
 * `<configured provider>/other`; anything a caller could invent collapses, so no user text becomes a series.
 */
export interface LabelBounds {
  model(name: string | undefined): string;
  deployment(key: string | undefined): string;
  provider(name: string | undefined): string;
  /** Every configured deployment key, in config order (for gauges that start at a known value). */
  readonly deployments: readonly string[];
}

export function createLabelBounds(config: RouterConfig): LabelBounds {
  const models = new Set([...Object.keys(config.models), ...Object.keys(defaultPriceTable)]);
  const providers = new Set(Object.keys(config.providers));
  const deployments: string[] = [];
  for (const entry of Object.values(config.models)) {
    for (const deployment of entry.deployments) {
      const key = `${deployment.provider}/${deployment.model}`;
      if (!deployments.includes(key)) deployments.push(key);
    }
  }
  const deploymentSet = new Set(deployments);
  return {
    deployments,
    model: (name) => (name === undefined ? 'none' : models.has(name) ? name : 'other'),
    deployment(key) {
      if (key === undefined) return 'none';
      if (deploymentSet.has(key)) return key;
      const provider = key.slice(0, key.indexOf('/'));
      return providers.has(provider) ? `${provider}/other` : 'other';
    },
    provider: (name) => (name !== undefined && providers.has(name) ? name : 'other'),
  };
}
