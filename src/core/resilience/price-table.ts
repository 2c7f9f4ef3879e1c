import type { Usage } from '../types/chat-chunk.js';

/** USD per one million input (prompt) and output (completion) tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/** Model name (or name prefix, see {@link lookupPrice}) → price. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

const price = (inputPerMillion: number, outputPerMillion: number): ModelPrice =>
  Object.freeze({ inputPerMillion, outputPerMillion });

/**
 * Public list prices as of 2025 (standard tier, no caching or batch discounts; Gemini 2.5 Pro at its ≤200k-token
 * prompt rate). They drift: override them in config (`prices:`) rather than trusting these for billing.
 * @see https://openai.com/api/pricing/
 * @see https://www.anthropic.com/pricing#api
 * @see https://ai.google.dev/gemini-api/docs/pricing
 */
export const defaultPriceTable: PriceTable = Object.freeze({
  'gpt-5': price(1.25, 10),
  'gpt-5-mini': price(0.25, 2),
  'gpt-5-nano': price(0.05, 0.4),
  'gpt-4o': price(2.5, 10),
  'gpt-4o-mini': price(0.15, 0.6),
  'gpt-4.1': price(2, 8),
  'gpt-4.1-mini': price(0.4, 1.6),
  'gpt-4.1-nano': price(0.1, 0.4),
  o3: price(2, 8),
  'o3-mini': price(1.1, 4.4),
  'o4-mini': price(1.1, 4.4),
  'claude-opus-4-1': price(15, 75),
  'claude-opus-4': price(15, 75),
  'claude-sonnet-4-5': price(3, 15),
  'claude-sonnet-4': price(3, 15),
  'claude-3-7-sonnet': price(3, 15),
  'claude-haiku-4-5': price(1, 5),
  'claude-3-5-haiku': price(0.8, 4),
  'gemini-2.5-pro': price(1.25, 10),
  'gemini-2.5-flash': price(0.3, 2.5),
  'gemini-2.5-flash-lite': price(0.1, 0.4),
  'gemini-2.0-flash': price(0.1, 0.4),
  'gemini-2.0-flash-lite': price(0.075, 0.3),
});

const free = price(0, 0);

/**
 * The price of `model`: `overrides` first, then {@link defaultPriceTable}. Matches the exact name, else the
 * longest table key that is a prefix ending at a `-` boundary, so dated snapshots (`gpt-4o-2024-08-06`,
 * `claude-sonnet-4-5-20250929`) find their family and `gpt-4o-mini` never reads as `gpt-4o`. A provider prefix
 * (`openai/gpt-4o`) is ignored. Simulator models (`sim-…`) are free. Undefined when unknown.
 */
export function lookupPrice(model: string, overrides: PriceTable = {}): ModelPrice | undefined {
  const name = model.slice(model.lastIndexOf('/') + 1).toLowerCase();
  if (name.startsWith('sim-')) return overrides[name] ?? free;
  return findPrice(overrides, name) ?? findPrice(defaultPriceTable, name);
}

/** Cost in USD of one request's usage at `price`. */
export function estimateCost(usage: Pick<Usage, 'prompt_tokens' | 'completion_tokens'>, price: ModelPrice): number {
  return (usage.prompt_tokens * price.inputPerMillion + usage.completion_tokens * price.outputPerMillion) / 1_000_000;
}

function findPrice(table: PriceTable, name: string): ModelPrice | undefined {
  if (Object.hasOwn(table, name)) return table[name];
  let best: string | undefined;
  for (const key of Object.keys(table)) {
    const lower = key.toLowerCase();
    if (name.startsWith(`${lower}-`) && (best === undefined || lower.length > best.length)) best = key;
  }
  return best === undefined ? undefined : table[best];
}
