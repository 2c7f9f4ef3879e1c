import { describe, expect, it } from 'vitest';
import { isRetryableOpenAIError, readOpenAIError } from './read-openai-error.js';

describe('readOpenAIError', () => {
  it('reads the envelope, the bare string and the flat vLLM form', () => {
    expect(readOpenAIError({ error: { message: 'm', type: 't', param: 'p', code: 'c' } })).toEqual({
      message: 'm',
      type: 't',
      param: 'p',
      code: 'c',
    });
    expect(readOpenAIError({ error: 'not found' })?.message).toBe('not found');
    expect(readOpenAIError({ object: 'error', message: 'm', code: 400 })?.code).toBe('400');
    expect(readOpenAIError({ id: 'chatcmpl-1', choices: [] })).toBeUndefined();
    expect(readOpenAIError(null)).toBeUndefined();
  });
});

describe('isRetryableOpenAIError', () => {
  const fields = (type?: string, code?: string) => ({ message: 'm', type, code, param: undefined });
  it.each([
    [fields('server_error'), true],
    [fields(undefined, '503'), true],
    [fields(undefined, '429'), true],
    [fields(undefined, '400'), false],
    [fields('invalid_request_error'), false],
    [fields('insufficient_quota', 'insufficient_quota'), false],
    [fields(undefined, 'context_length_exceeded'), false],
    [fields(), true],
  ])('%j → %s', (input, expected) => {
    expect(isRetryableOpenAIError(input)).toBe(expected);
  });
});
