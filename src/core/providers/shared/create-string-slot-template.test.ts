import { describe, expect, it } from 'vitest';
import { createStringSlotTemplate, parseStringLiteral } from './create-string-slot-template.js';

const readText = (parsed: unknown) => (parsed as { parts?: Array<{ text?: unknown }> }).parts?.[0]?.text;
const event = (literal: string, count: string, id = 'r-07') =>
  `{"parts":[{"text":${literal}}],"usage":{"count":${count},"ratio":0.5},"id":"${id}"}`;

describe('createStringSlotTemplate', () => {
  it('reads only the slot of an event in the learned envelope, and nothing from another envelope', () => {
    const template = createStringSlotTemplate({ marker: '"text":', read: readText });
    expect(template.match(event('"a"', '1'))).toBeUndefined();
    expect(template.learn(event('"a"', '1'))).toBe(true);
    expect(template.match(event('"b \\"q\\""', '1'))).toBe('b "q"');
    expect(template.match(event('"b"', '2'))).toBeUndefined();
    expect(template.match(event('"b","text":"c"', '1'))).toBeUndefined();
  });

  it('with numbersMayDiffer, matches other digit runs after the slot, but no new leading zero or other text', () => {
    const template = createStringSlotTemplate({ marker: '"text":', read: readText, numbersMayDiffer: true });
    expect(template.learn(event('"a"', '5'))).toBe(true);
    expect(template.match(event('"b"', '123'))).toBe('b');
    expect(template.match(event('"b"', '0'))).toBe('b');
    expect(template.match(event('"b"', '05'))).toBeUndefined();
    expect(template.match(event('"b"', '-5'))).toBeUndefined();
    expect(template.match(event('"b"', '5', 'r-7'))).toBe('b');
    expect(template.match(event('"b"', '5', 'r-08'))).toBeUndefined();
    expect(template.match(event('"b"', '5', 'q-07'))).toBeUndefined();
    expect(template.match(event('"b","text":"c"', '5'))).toBeUndefined();
    expect(template.match(`${event('"b"', '5')} `)).toBeUndefined();
    expect(template.match(event('"b"', '5').slice(0, -1))).toBeUndefined();
    expect(template.match(event('7', '5'))).toBeUndefined();
  });

  it('learns nothing when the slot is not what the reader reads', () => {
    const template = createStringSlotTemplate({ marker: '"text":', read: () => 'fixed' });
    expect(template.learn(event('"a"', '1'))).toBe(false);
    expect(template.match(event('"a"', '1'))).toBeUndefined();
  });

  it('reads a literal exactly as JSON.parse does, short plain ones included, and refuses what is not one string', () => {
    const reference = (literal: string) => {
      try {
        const value: unknown = JSON.parse(literal);
        return typeof value === 'string' ? value : undefined;
      } catch {
        return undefined;
      }
    };
    const alphabet = [
      'a',
      ' ',
      'é',
      '☕',
      '\ud800',
      '"',
      '\\',
      '\n',
      '\t',
      '\u0001',
      '\\n',
      '\\"',
      '\\u00e9',
      '/',
      '0',
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const literals = ['""', '"', '7', 'null', '"a","b"', '"a"b"', '"abc', 'abc"', ' "a"', '"a" '];
    for (let count = 0; count < 3_000; count++) {
      const length = Math.floor(random() * 20);
      let inner = '';
      for (let index = 0; index < length; index++) inner += alphabet[Math.floor(random() * alphabet.length)];
      literals.push(`"${inner}"`);
    }
    for (const literal of literals) expect(parseStringLiteral(literal), literal).toBe(reference(literal));
  });
});
