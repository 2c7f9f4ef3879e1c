import { describe, expect, it } from 'vitest';
import { createProviderHarness, rejectionOf } from '../../../../test/support/provider-harness.js';
import { UpstreamStatusError } from '../../errors/upstream-errors.js';
import { anthropicAdapter } from './anthropic-adapter.js';
import { mapAnthropicError } from './map-error.js';

const apiKey = 'sk-ant-test-123456';

const harness = createProviderHarness(anthropicAdapter, { apiKey });

/** Answers with an error over a real socket; returns what the provider threw (streaming and non-streaming alike). */
async function failWith(status: number, body: string, headers: Record<string, string> = {}) {
  const { provider } = await harness.serve({
    status,
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  const options = {
    model: 'claude-sonnet-4-5',
    request: { model: 'claude-sonnet-4-5', messages: [{ role: 'user' as const, content: 'Hi' }] },
  };
  const streamError = await rejectionOf(provider.stream(options));
  const completeError = await rejectionOf(provider.complete(options));
  expect(streamError).toBeInstanceOf(UpstreamStatusError);
  expect(completeError).toBeInstanceOf(UpstreamStatusError);
  expect((completeError as Error).message).toBe((streamError as Error).message);
  return streamError as UpstreamStatusError;
}

const envelope = (type: string, message: string, extra: object = {}) =>
  JSON.stringify({ type: 'error', error: { type, message, ...extra }, request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy' });

describe('mapAnthropicError over a real socket', () => {
  it('401: authentication, not retryable, and the key never appears', async () => {
    // A proxy echoing the key back must not leak it either.
    const error = await failWith(401, envelope('authentication_error', `invalid x-api-key ${apiKey}`));
    expect(error).toMatchObject({
      kind: 'authentication',
      upstreamStatus: 401,
      status: 502,
      retryable: false,
      providerErrorType: 'authentication_error',
      provider: 'anthropic',
    });
    expect(error.message).toContain('invalid x-api-key');
    expect(error.message).not.toContain(apiKey);
    expect(JSON.stringify(error)).not.toContain(apiKey);
    expect(JSON.stringify(error.toJSON())).not.toContain('sk-ant');
  });

  it('429 with retry-after: rate limited, retryable, retryAfterMs from the header', async () => {
    const error = await failWith(
      429,
      envelope('rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit'),
      { 'retry-after': '7' },
    );
    expect(error).toMatchObject({
      kind: 'rate_limit',
      code: 'RATE_LIMITED',
      status: 429,
      retryable: true,
      retryAfterMs: 7000,
      providerErrorType: 'rate_limit_error',
    });
  });

  it('429 for an exhausted spend limit is not retryable', async () => {
    const error = await failWith(
      429,
      envelope('rate_limit_error', 'You have reached your specified API usage limits.', {
        details: { error_code: 'enforced_spend_limit_reached' },
      }),
    );
    expect(error).toMatchObject({
      kind: 'rate_limit',
      retryable: false,
      providerErrorCode: 'enforced_spend_limit_reached',
    });
  });

  it('529 overloaded: overloaded, retryable', async () => {
    const error = await failWith(
      529,
      '{"type":"error","error":{"details":null,"type":"overloaded_error","message":"Overloaded"}}',
    );
    expect(error).toMatchObject({
      kind: 'overloaded',
      status: 503,
      upstreamStatus: 529,
      retryable: true,
      providerErrorType: 'overloaded_error',
    });
  });

  it('500 api_error: server, retryable', async () => {
    const error = await failWith(500, envelope('api_error', 'Internal server error'));
    expect(error).toMatchObject({ kind: 'server', status: 502, retryable: true, providerErrorType: 'api_error' });
  });

  it('400 prompt is too long: context length, not retryable', async () => {
    const error = await failWith(
      400,
      envelope('invalid_request_error', 'prompt is too long: 208310 tokens > 200000 maximum'),
    );
    expect(error).toMatchObject({
      kind: 'context_length',
      contextLengthExceeded: true,
      status: 400,
      retryable: false,
      providerErrorType: 'invalid_request_error',
    });
  });

  it('400 other invalid request: invalid_request with the provider message', async () => {
    const error = await failWith(400, envelope('invalid_request_error', 'max_tokens: Field required'));
    expect(error).toMatchObject({ kind: 'invalid_request', contextLengthExceeded: false, retryable: false });
    expect(error.message).toBe('anthropic returned HTTP 400: max_tokens: Field required');
  });
});

describe('mapAnthropicError (pure)', () => {
  const map = (status: number, bodyText: string, headers: Record<string, string> = {}) =>
    mapAnthropicError({
      provider: 'anthropic',
      status,
      headers: new Headers(headers),
      bodyText,
    }) as UpstreamStatusError;

  it('honours x-should-retry both ways', () => {
    expect(map(500, envelope('api_error', 'x'), { 'x-should-retry': 'false' }).retryable).toBe(false);
    expect(map(400, envelope('invalid_request_error', 'x'), { 'x-should-retry': 'true' }).retryable).toBe(true);
  });

  it('retries 408 and 409', () => {
    expect(map(408, '').retryable).toBe(true);
    expect(map(409, envelope('conflict_error', 'x')).retryable).toBe(true);
  });

  it('classifies a non-JSON body by status and keeps a short excerpt', () => {
    const error = map(502, '<html>Bad gateway</html>');
    expect(error).toMatchObject({ kind: 'server', retryable: true, providerErrorType: undefined });
    expect(error.message).toContain('<html>Bad gateway</html>');
    expect(map(503, '').message).toBe('anthropic returned HTTP 503: HTTP 503');
  });

  it('reads retry-after-ms before retry-after', () => {
    expect(map(429, '', { 'retry-after-ms': '250', 'retry-after': '9' }).retryAfterMs).toBe(250);
  });
});
