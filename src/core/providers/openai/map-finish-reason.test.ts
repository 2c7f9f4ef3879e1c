import { describe, expect, it } from 'vitest';
import { mapOpenAIFinishReason } from './map-finish-reason.js';

describe('mapOpenAIFinishReason', () => {
  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool_calls', 'tool_calls'],
    ['content_filter', 'content_filter'],
    ['function_call', 'tool_calls'],
    ['eos', 'stop'],
  ] as const)('maps %s to %s', (input, expected) => {
    expect(mapOpenAIFinishReason(input)).toBe(expected);
  });
});
