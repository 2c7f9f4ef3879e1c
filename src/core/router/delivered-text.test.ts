import { describe, expect, it } from 'vitest';
import { DeliveredText } from './delivered-text.js';

describe('DeliveredText', () => {
  it('gives back every piece in order, across the joins', () => {
    const pieces = Array.from({ length: 200 }, (_, index) => (index % 7 === 0 ? '' : `tok${index} é`));
    const text = new DeliveredText();
    expect(text.toString()).toBe('');
    pieces.forEach((piece, index) => {
      text.push(piece);
      if (index === 63 || index === 64 || index === 199)
        expect(text.toString()).toBe(pieces.slice(0, index + 1).join(''));
    });
    expect(text.toString().length).toBe(pieces.join('').length);
  });
});
