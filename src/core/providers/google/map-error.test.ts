import { describe, expect, it } from 'vitest';
import { createFixtureReader, createProviderHarness, rejectionOf } from '../../../../test/support/provider-harness.js';
import { UpstreamStatusError } from '../../errors/upstream-errors.js';
import { googleAdapter } from './google-adapter.js';
import { mapGoogleError } from './map-error.js';

const apiKey = 'AIzaTestKey1234567890';

const fixture = createFixtureReader(import.meta.url);
const harness = createProviderHarness(googleAdapter, { apiKey });

/**
 * Answers a streaming request with the error status and body, keeping `content-type: text/event-stream` as
 * Gemini does for errors to `alt=sse` requests, and returns the error the provider threw.
 */
async function streamError(status: number, fixtureName: string, headers?: Record<string, string>) {
  const { provider } = await harness.serve({ status, body: fixture(fixtureName), headers });
  const request = { model: 'gemini-2.5-flash', messages: [{ role: 'user' as const, content: 'Hi' }] };
  const error = await rejectionOf(provider.stream({ model: 'gemini-2.5-flash', request }));
  expect(error).toBeInstanceOf(UpstreamStatusError);
  return error as UpstreamStatusError;
}

describe('mapGoogleError', () => {
  it('400 API_KEY_INVALID is an authentication error (our key), with no key in message or JSON', async () => {
    const error = await streamError(400, 'error-400-api-key-invalid.json');
    expect(error.kind).toBe('authentication');
    expect(error.status).toBe(502);
    expect(error.upstreamStatus).toBe(400);
    expect(error.providerErrorType).toBe('INVALID_ARGUMENT');
    expect(error.providerErrorCode).toBe('API_KEY_INVALID');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('API key not valid');
    expect(error.message).not.toContain(apiKey);
    expect(JSON.stringify(error)).not.toContain(apiKey);
  });

  it('never repeats a key the upstream echoes back', () => {
    const error = mapGoogleError({
      provider: 'google',
      status: 400,
      headers: new Headers(),
      bodyText: JSON.stringify({
        error: { code: 400, message: `Bad key AIzaSyA1234567890abcdefg`, status: 'INVALID_ARGUMENT' },
      }),
    });
    expect(error.message).not.toContain('AIzaSyA1234567890abcdefg');
  });

  it('429 takes its retry delay from RetryInfo in the body', async () => {
    const error = await streamError(429, 'error-429-retry-info.json');
    expect(error.kind).toBe('rate_limit');
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(34400);
    expect(error.providerErrorType).toBe('RESOURCE_EXHAUSTED');
  });

  it('429 without RetryInfo falls back to the retry-after header', () => {
    const error = mapGoogleError({
      provider: 'google',
      status: 429,
      headers: new Headers({ 'retry-after': '7' }),
      bodyText: '{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED"}}',
    });
    expect(error.retryAfterMs).toBe(7000);
  });

  it.each([
    [500, 'error-500-internal.json', 'server', 'INTERNAL'],
    [503, 'error-503-unavailable.json', 'overloaded', 'UNAVAILABLE'],
  ] as const)('%i is retryable (%s)', async (status, fixture, kind, type) => {
    const error = await streamError(status, fixture);
    expect(error.kind).toBe(kind);
    expect(error.retryable).toBe(true);
    expect(error.providerErrorType).toBe(type);
  });

  it('504 is retryable', () => {
    const error = mapGoogleError({
      provider: 'google',
      status: 504,
      headers: new Headers(),
      bodyText:
        '{"error":{"code":504,"message":"Deadline expired before operation could complete.","status":"DEADLINE_EXCEEDED"}}',
    });
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(504);
  });

  it('404 model not found is the caller’s and not retryable', async () => {
    const error = await streamError(404, 'error-404-model-not-found.json');
    expect(error.kind).toBe('not_found');
    expect(error.retryable).toBe(false);
    expect(error.providerErrorType).toBe('NOT_FOUND');
    expect(error.message).toContain('is not found for API version v1beta');
  });

  it('400 with an input token count over the maximum is a context-length error', async () => {
    const error = await streamError(400, 'error-400-token-count-exceeded.json');
    expect(error.contextLengthExceeded).toBe(true);
    expect(error.kind).toBe('context_length');
    expect(error.retryable).toBe(false);
  });

  it('reads an array-wrapped envelope and survives a non-JSON body', () => {
    const wrapped = mapGoogleError({
      provider: 'google',
      status: 403,
      headers: new Headers(),
      bodyText: '[{"error":{"code":403,"message":"Permission denied","status":"PERMISSION_DENIED"}}]',
    });
    expect(wrapped.providerErrorType).toBe('PERMISSION_DENIED');
    expect(wrapped.kind).toBe('authentication');
    const html = mapGoogleError({
      provider: 'google',
      status: 502,
      headers: new Headers(),
      bodyText: '<html>Bad Gateway</html>',
    });
    expect(html.retryable).toBe(true);
    expect(html.message).toContain('Bad Gateway');
  });
});
