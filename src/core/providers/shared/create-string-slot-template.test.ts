import { describe, expect, it } from 'vitest';
import { createStringSlotTemplate } from './create-string-slot-template.js';

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
});
