import { describe, expect, it } from 'vitest';
import { splitIntoPieces, synthesizeArguments } from './synthesize-arguments.js';

describe('synthesizeArguments', () => {
  it('fills every property from a JSON schema', () => {
    expect(
      synthesizeArguments({
        type: 'object',
        properties: {
          location: { type: 'string' },
          unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
          days: { type: 'integer' },
          detailed: { type: 'boolean' },
          tags: { type: 'array', items: { type: 'string' } },
          nested: { type: 'object', properties: { lat: { type: 'number' } } },
        },
      }),
    ).toEqual({ location: 'Paris', unit: 'celsius', days: 1, detailed: true, tags: ['Paris'], nested: { lat: 1 } });
  });

  it("accepts Gemini's upper-case OpenAPI types", () => {
    expect(
      synthesizeArguments({ type: 'OBJECT', properties: { city: { type: 'STRING' }, n: { type: 'NUMBER' } } }),
    ).toEqual({
      city: 'Paris',
      n: 1,
    });
  });
});

describe('splitIntoPieces', () => {
  it('splits into pieces that join back', () => {
    const json = '{"location":"Paris","days":1}';
    const pieces = splitIntoPieces(json);
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe(json);
  });
});
