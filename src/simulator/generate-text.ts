/**
 * Deterministic answer text. Token `i` is one word from a fixed list, with a leading space for every token after the
 * first, so any token prefix of an answer ends on a token boundary without trailing whitespace. The sequence is
 * seeded by a hash of the prompt and token `i` never depends on how many tokens are asked for: a 10-token answer is
 * the prefix of the 20-token answer to the same prompt. That is what lets a cut stream be continued exactly.
 */
const WORDS = [
  'the',
  'circuit',
  'breaker',
  'routes',
  'every',
  'token',
  'through',
  'a',
  'stream',
  'of',
  'quiet',
  'signals',
  'and',
  'each',
  'provider',
  'answers',
  'with',
  'steady',
  'words',
  'while',
  'retries',
  'wait',
  'for',
  'open',
  'gates',
  'latency',
  'stays',
  'low',
  'as',
  'requests',
  'flow',
  'between',
  'regions',
  'model',
  'replies',
  'arrive',
  'in',
  'order',
  'clients',
  'read',
  'them',
  'one',
  'by',
  'small',
  'chunks',
  'keep',
  'moving',
  'fast',
  'healthy',
  'upstreams',
  'serve',
  'traffic',
  'failover',
  'happens',
  'mid',
  'sentence',
  'without',
  'losing',
  'text',
  'budgets',
  'hold',
  'limits',
  'gently',
  'bright',
] as const;

/** FNV-1a, 32 bits: fast, stable across runs and platforms. */
export function hashText(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The first `count` tokens of the deterministic answer to `seedText`. `salt` derives an independent sequence from
 * the same prompt (the thinking text uses `"thinking"`).
 */
export function generateTokens(seedText: string, count: number, salt = ''): string[] {
  const random = createRandom(hashText(salt + seedText));
  const tokens: string[] = [];
  let sentenceStart = true;
  for (let index = 0; index < count; index++) {
    let word: string = WORDS[Math.floor(random() * WORDS.length)]!;
    if (sentenceStart) word = word[0]!.toUpperCase() + word.slice(1);
    sentenceStart = random() < 0.12;
    if (sentenceStart) word += '.';
    tokens.push(index === 0 ? word : ` ${word}`);
  }
  return tokens;
}

/**
 * How many answer tokens the partial answer already covers. Matches exactly, then ignoring surrounding whitespace
 * (Anthropic rejects a prefill with trailing whitespace, so routers trim it); if neither matches, the longest token
 * prefix the partial answer starts with.
 */
export function countCoveredTokens(tokens: readonly string[], partialAnswer: string): number {
  const trimmedPartial = partialAnswer.trim();
  if (trimmedPartial === '') return 0;
  let joined = '';
  let longestPrefix = 0;
  for (let index = 0; index < tokens.length; index++) {
    joined += tokens[index];
    const trimmedJoined = joined.trim();
    if (joined === partialAnswer || trimmedJoined === trimmedPartial) return index + 1;
    // Once the joined tokens stop being a prefix of the partial answer, no longer join can match.
    if (!trimmedPartial.startsWith(trimmedJoined)) break;
    longestPrefix = index + 1;
  }
  return longestPrefix;
}

/** ≈ token count of a text: its whitespace-separated words. */
export function countWords(text: string): number {
  let count = 0;
  let inWord = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const isSpace = code === 32 || code === 10 || code === 9 || code === 13;
    if (!isSpace && !inWord) count++;
    inWord = !isSpace;
  }
  return count;
}

/** Structural fields and binary payloads (images, signatures), which are not input words. */
const NOT_TEXT_KEYS = new Set([
  'role',
  'type',
  'id',
  'tool_call_id',
  'tool_use_id',
  'data',
  'url',
  'signature',
  'thoughtSignature',
  'mimeType',
  'media_type',
]);

/** Every string value inside a JSON value, for counting the words of all input text. */
export function countWordsDeep(value: unknown): number {
  if (typeof value === 'string') return countWords(value);
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + countWordsDeep(item), 0);
  if (value !== null && typeof value === 'object') {
    let sum = 0;
    for (const [key, item] of Object.entries(value)) {
      if (NOT_TEXT_KEYS.has(key)) continue;
      sum += countWordsDeep(item);
    }
    return sum;
  }
  return 0;
}
