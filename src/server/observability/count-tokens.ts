/**
 * Token counts for what a provider did not report: the text a cut stream delivered, and the prompt of a request
 * that failed before usage arrived. `gpt-tokenizer` (o200k_base) is loaded on first use, off the hot path: its tables
 * are large, and most requests never need it because the provider reports usage. For non-OpenAI models the count is
 * an estimate, which is what a partial row is flagged for.
 */
let tokenizer: Promise<(text: string) => number> | undefined;

export function countTextTokens(text: string): Promise<number> {
  if (text.length === 0) return Promise.resolve(0);
  tokenizer ??= import('gpt-tokenizer').then((module) => module.countTokens);
  return tokenizer.then((count) => count(text));
}

/** Keys whose string values are prompt text in the OpenAI and Anthropic request shapes. */
const textKeys = new Set(['content', 'text', 'system', 'arguments', 'input']);
const maxDepth = 8;

/** The prompt text of an OpenAI or Anthropic request body: every string under a content-like key, joined. */
export function collectPromptText(body: unknown): string {
  const parts: string[] = [];
  const walk = (value: unknown, depth: number, underTextKey: boolean) => {
    if (depth > maxDepth) return;
    if (typeof value === 'string') {
      if (underTextKey) parts.push(value);
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1, underTextKey);
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) walk(item, depth + 1, textKeys.has(key));
    }
  };
  if (body !== null && typeof body === 'object') {
    const { messages, system } = body as { messages?: unknown; system?: unknown };
    walk(messages, 0, false);
    walk(system, 0, true);
  }
  return parts.join('\n');
}
