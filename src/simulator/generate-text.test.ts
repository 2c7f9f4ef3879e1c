import { describe, expect, it } from 'vitest';
import { countCoveredTokens, countWords, countWordsDeep, generateTokens } from './generate-text.js';

describe('generateTokens', () => {
  it('is deterministic per prompt and differs between prompts', () => {
    expect(generateTokens('hello', 20)).toEqual(generateTokens('hello', 20));
    expect(generateTokens('hello', 20)).not.toEqual(generateTokens('goodbye', 20));
    expect(generateTokens('hello', 8, 'thinking')).not.toEqual(generateTokens('hello', 8));
  });

  it('gives a shorter answer as a prefix of a longer one', () => {
    expect(generateTokens('prompt', 30).slice(0, 12)).toEqual(generateTokens('prompt', 12));
  });

  it('starts every token after the first with a space and never ends one with whitespace', () => {
    const tokens = generateTokens('spacing', 50);
    expect(tokens[0]).not.toMatch(/^\s/);
    for (const token of tokens.slice(1)) expect(token).toMatch(/^ \S+$/);
  });
});

describe('countCoveredTokens', () => {
  const tokens = generateTokens('continue me', 20);
  const prefix = (count: number) => tokens.slice(0, count).join('');

  it('aligns an exact token prefix', () => {
    expect(countCoveredTokens(tokens, prefix(7))).toBe(7);
    expect(countCoveredTokens(tokens, '')).toBe(0);
    expect(countCoveredTokens(tokens, tokens.join(''))).toBe(20);
  });

  it('aligns a whitespace-trimmed prefix', () => {
    expect(countCoveredTokens(tokens, `${prefix(5)}  `)).toBe(5);
    expect(countCoveredTokens(tokens, `\n${prefix(5)}`)).toBe(5);
  });

  it('falls back to the longest token prefix of an unaligned partial answer', () => {
    expect(countCoveredTokens(tokens, `${prefix(4)}${tokens[4]!.slice(0, 2)}`)).toBe(4);
    expect(countCoveredTokens(tokens, 'something else entirely')).toBe(0);
  });
});

describe('countWords', () => {
  it('counts whitespace-separated words, deeply, skipping binary fields', () => {
    expect(countWords('  one two\nthree ')).toBe(3);
    expect(countWordsDeep([{ role: 'user', content: [{ type: 'text', text: 'a b' }, { data: 'x y z' }] }])).toBe(2);
  });
});
