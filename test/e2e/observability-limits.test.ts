import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicBody, type ObservedGateway, openAIBody, startObservedGateway } from './observability-harness.js';

/** Per-key limits from config: 429 with retry-after in the caller's format (OpenAI and Anthropic routes). */

let gateway: ObservedGateway;
const keys = { limited: 'sk-gw-rpm', tokens: 'sk-gw-tpm', budget: 'sk-gw-budget', free: 'sk-gw-free' };

beforeAll(async () => {
  gateway = await startObservedGateway({
    config: {
      server: {
        api_keys: [
          { name: 'rpm', key: keys.limited },
          { name: 'tpm', key: keys.tokens },
          { name: 'budget', key: keys.budget },
          { name: 'free', key: keys.free },
        ],
      },
      limits: {
        keys: {
          rpm: { requests_per_minute: 2 },
          tpm: { tokens_per_minute: 10 },
          // claude-sim costs 3 $/M in, 15 $/M out: one request spends ≈ $0.0003.
          budget: { budget_usd: 0.0001, budget_period: 'day' },
        },
      },
    },
  });
});
afterAll(() => gateway?.close());

const send = (route: '/v1/chat/completions' | '/v1/messages', key: string) =>
  fetch(`${gateway.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(route === '/v1/messages' ? anthropicBody('claude-sim', false) : openAIBody('duo', false)),
  });

describe('per-key limits', () => {
  it('requests per minute: the third request is a 429 with retry-after, in OpenAI and Anthropic format', async () => {
    expect((await send('/v1/chat/completions', keys.limited)).status).toBe(200);
    expect((await send('/v1/messages', keys.limited)).status).toBe(200);
    const openai = await send('/v1/chat/completions', keys.limited);
    expect(openai.status).toBe(429);
    const retryAfter = Number(openai.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await openai.json()).toMatchObject({
      error: {
        type: 'rate_limit_error',
        code: 'rate_limited',
        message: expect.stringContaining('2 requests per minute'),
      },
    });
    const anthropic = await send('/v1/messages', keys.limited);
    expect(anthropic.status).toBe(429);
    expect(Number(anthropic.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    // Another key is not affected.
    expect((await send('/v1/chat/completions', keys.free)).status).toBe(200);
  });

  it('tokens per minute: admitted while under, refused once the finished requests used them up', async () => {
    const first = await send('/v1/chat/completions', keys.tokens);
    expect(first.status).toBe(200);
    await first.text();
    await gateway.settle();
    const second = await send('/v1/messages', keys.tokens);
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).not.toBeNull();
    expect(await second.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
  });

  it('budget: refused until the next UTC day once spent', async () => {
    const first = await send('/v1/messages', keys.budget);
    expect(first.status).toBe(200);
    await first.text();
    await gateway.settle();
    const second = await send('/v1/chat/completions', keys.budget);
    expect(second.status).toBe(429);
    const retryAfter = Number(second.headers.get('retry-after'));
    const now = new Date();
    const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
    expect(Math.abs(retryAfter - (midnight - Date.now()) / 1000)).toBeLessThan(5);
    expect(((await second.json()) as { error: { message: string } }).error.message).toContain('budget');
  });

  it('counts refusals in the metrics', async () => {
    const text = await (
      await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${keys.free}` } })
    ).text();
    expect(text).toMatch(
      /circuit_breaker_limited_requests_total\{route="\/v1\/chat\/completions",limit="requests_per_minute"\} 1/,
    );
    expect(text).toMatch(/limit="budget_usd"\} 1/);
  });
});
