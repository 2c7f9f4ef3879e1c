import { describe, expect, it } from 'vitest';
import { ModelNotFoundError } from '../../core/errors/request-errors.js';
import { NoDeploymentAvailableError } from '../../core/errors/resilience-errors.js';
import { UpstreamStatusError } from '../../core/errors/upstream-errors.js';
import { errorHeaders } from './error-headers.js';
import { MethodNotAllowedError } from './gateway-errors.js';
import { toAnthropicError } from './to-anthropic-error.js';
import { toOpenAIError } from './to-openai-error.js';

describe('toOpenAIError', () => {
  it('maps a rate limit to 429 rate_limit_error with retry-after in whole seconds', () => {
    const error = new UpstreamStatusError({
      provider: 'up',
      status: 429,
      message: 'slow down',
      retryable: true,
      retryAfterMs: 1500,
    });
    const { status, body } = toOpenAIError(error, []);
    expect(status).toBe(429);
    expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limited', param: null });
    expect(errorHeaders(error)).toMatchObject({ 'retry-after': '2', 'retry-after-ms': '1500' });
  });

  it('maps an unknown model to 404 not_found_error naming the param', () => {
    const { status, body } = toOpenAIError(new ModelNotFoundError('nope'), []);
    expect(status).toBe(404);
    expect(body.error).toMatchObject({ type: 'not_found_error', code: 'model_not_found', param: 'model' });
  });

  it('redacts configured secrets and key-shaped strings from the message', () => {
    const error = new NoDeploymentAvailableError({
      model: 'm',
      errors: [
        new UpstreamStatusError({
          provider: 'up',
          status: 401,
          message: 'bad key my-own-secret-value sk-abcdefghij',
          retryable: false,
        }),
      ],
    });
    const { status, body } = toOpenAIError(error, ['my-own-secret-value']);
    expect(status).toBe(503);
    expect(body.error.type).toBe('server_error');
    expect(body.error.message).not.toContain('my-own-secret-value');
    expect(body.error.message).not.toContain('sk-abcdefghij');
  });

  it('sends allow with a 405', () => {
    expect(errorHeaders(new MethodNotAllowedError('GET', '/v1/messages', ['POST']))).toEqual({ allow: 'POST' });
  });
});

describe('toAnthropicError', () => {
  it('uses the Anthropic envelope and type for the status', () => {
    const error = new UpstreamStatusError({ provider: 'up', status: 503, message: 'busy', retryable: true });
    const { status, body } = toAnthropicError(error, [], 'req_1');
    expect(status).toBe(503);
    expect(body).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: error.message },
      request_id: 'req_1',
    });
  });
});
