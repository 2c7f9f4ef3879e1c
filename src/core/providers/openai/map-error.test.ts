import { describe, expect, it } from 'vitest';
import { createFixtureReader, createProviderHarness, rejectionOf } from '../../../../test/support/provider-harness.js';
import { UpstreamStatusError } from '../../errors/upstream-errors.js';
import { mapOpenAIError } from './map-error.js';
import { openaiAdapter } from './openai-adapter.js';

const fixture = createFixtureReader(import.meta.url);
const harness = createProviderHarness(openaiAdapter, { apiKey: 'sk-test-123456' });

/** Serves one error answer over a real socket and returns what the provider threw, for stream and complete. */
async function failWith(status: number, body: string, headers: Record<string, string> = {}) {
  const { provider } = await harness.serve({
    status,
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  const options = {
    model: 'gpt-4o',
    request: { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'Hi' }] },
  };
  const errors: UpstreamStatusError[] = [];
  for (const call of [() => provider.stream(options), () => provider.complete(options)]) {
    const error = await rejectionOf(call());
    expect(error).toBeInstanceOf(UpstreamStatusError);
    errors.push(error as UpstreamStatusError);
  }
  expect(errors[1].toJSON()).toEqual(errors[0].toJSON());
  return errors[0];
}

describe('mapOpenAIError over a real socket', () => {
  it('401 invalid key: authentication, not retryable, the key never appears', async () => {
    const error = await failWith(401, fixture('openai-401-invalid-api-key.json'));
    expect(error.kind).toBe('authentication');
    expect(error.upstreamStatus).toBe(401);
    expect(error.status).toBe(502);
    expect(error.retryable).toBe(false);
    expect(error.providerErrorCode).toBe('invalid_api_key');
    expect(error.message).toContain('Incorrect API key provided');
    expect(error.message).not.toContain('sk-test-123456');
    expect(JSON.stringify(error)).not.toContain('sk-test-123456');
    expect(JSON.stringify(error.toJSON())).not.toContain('sk-test-123456');
  });

  it('429 with retry-after (seconds): rate limit, retryable', async () => {
    const error = await failWith(429, fixture('openai-429-rate-limit.json'), { 'retry-after': '2' });
    expect(error.kind).toBe('rate_limit');
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryable).toBe(true);
    expect(error.retryAfterMs).toBe(2000);
    expect(error.providerErrorType).toBe('tokens');
  });

  it('429 with retry-after-ms takes precedence', async () => {
    const error = await failWith(429, fixture('openai-429-rate-limit.json'), {
      'retry-after': '2',
      'retry-after-ms': '1500',
    });
    expect(error.retryAfterMs).toBe(1500);
  });

  it('429 insufficient_quota is not retryable', async () => {
    const error = await failWith(429, fixture('openai-429-insufficient-quota.json'));
    expect(error.kind).toBe('rate_limit');
    expect(error.retryable).toBe(false);
    expect(error.providerErrorCode).toBe('insufficient_quota');
  });

  it('500 server error is retryable', async () => {
    const error = await failWith(500, fixture('openai-500-server-error.json'));
    expect(error.kind).toBe('server');
    expect(error.retryable).toBe(true);
    expect(error.providerErrorType).toBe('server_error');
  });

  it('503 overloaded is retryable', async () => {
    const error = await failWith(503, fixture('openai-503-overloaded.json'));
    expect(error.kind).toBe('overloaded');
    expect(error.status).toBe(503);
    expect(error.retryable).toBe(true);
  });

  it('400 context_length_exceeded', async () => {
    const error = await failWith(400, fixture('openai-400-context-length.json'));
    expect(error.contextLengthExceeded).toBe(true);
    expect(error.kind).toBe('context_length');
    expect(error.retryable).toBe(false);
  });

  it('400 unsupported parameter is an invalid request', async () => {
    const error = await failWith(400, fixture('reasoning-model-legacy-parameter-error.json'));
    expect(error.kind).toBe('invalid_request');
    expect(error.contextLengthExceeded).toBe(false);
    expect(error.providerErrorCode).toBe('unsupported_parameter');
    expect(error.retryable).toBe(false);
  });

  it('a non-JSON body (a proxy HTML page) uses status and text', async () => {
    const error = await failWith(502, fixture('openai-502-html.txt'), { 'content-type': 'text/html' });
    expect(error.kind).toBe('server');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('502 Bad Gateway');
    expect(error.providerErrorType).toBeUndefined();
  });

  it('x-should-retry: false overrides a retryable status', async () => {
    const error = await failWith(500, fixture('openai-500-server-error.json'), { 'x-should-retry': 'false' });
    expect(error.retryable).toBe(false);
  });
});

describe('mapOpenAIError, pure', () => {
  const input = (status: number, bodyText: string, headers: Record<string, string> = {}) => ({
    provider: 'local',
    status,
    headers: new Headers(headers),
    bodyText,
  });

  it('bare-string errors (Ollama) and empty bodies', () => {
    expect(mapOpenAIError(input(404, '{"error":"model \\"llama9\\" not found"}')).message).toContain('llama9');
    expect(mapOpenAIError(input(500, '')).message).toContain('empty body');
  });

  it('context length reported only in the message text (vLLM)', () => {
    const body = JSON.stringify({
      object: 'error',
      message: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens.",
      type: 'BadRequestError',
      code: 400,
    });
    const error = mapOpenAIError(input(400, body)) as UpstreamStatusError;
    expect(error.contextLengthExceeded).toBe(true);
  });

  it('redacts keys in the message even if the caller did not', () => {
    const body = JSON.stringify({ error: { message: 'Incorrect API key provided: sk-proj-abcdef123456.' } });
    expect(mapOpenAIError(input(401, body)).message).not.toContain('sk-proj-abcdef123456');
  });

  it('408 and 409 are retryable; 404 is not', () => {
    expect(mapOpenAIError(input(408, '')).retryable).toBe(true);
    expect(mapOpenAIError(input(409, '')).retryable).toBe(true);
    expect(mapOpenAIError(input(404, '')).retryable).toBe(false);
  });
});
