import { describe, expect, it } from 'vitest';
import { mapStatusToAnthropicErrorType, toAnthropicErrorBody } from './anthropic-error-body.js';

describe('toAnthropicErrorBody', () => {
  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [402, 'billing_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [405, 'invalid_request_error'],
    [408, 'timeout_error'],
    [413, 'request_too_large'],
    [429, 'rate_limit_error'],
    [500, 'api_error'],
    [502, 'api_error'],
    [503, 'overloaded_error'],
    [504, 'timeout_error'],
    [529, 'overloaded_error'],
  ])('maps %i to %s', (status, type) => {
    expect(mapStatusToAnthropicErrorType(status)).toBe(type);
  });

  it('builds the Anthropic envelope', () => {
    expect(toAnthropicErrorBody({ status: 400, message: 'max_tokens: Field required' })).toStrictEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
    });
    expect(toAnthropicErrorBody({ status: 529, message: 'Overloaded', requestId: 'req_1' })).toStrictEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
      request_id: 'req_1',
    });
  });
});
