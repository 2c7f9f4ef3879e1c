import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/core/router/create-router.js';
import { createGateway, type Gateway } from '../../src/server/create-gateway.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/start-simulator.js';
import { closeServer, listenOnLoopback } from '../support/listen-server.js';
import { question, simulatorProviders } from './resilience-support.js';

/** The resilience contract as an HTTP client sees it: headers, one clean SSE stream, `/v1/deployments`. */

const apiKey = 'gateway-key-resilience';
let simulator: SimulatorHandle;
let gateway: Gateway;
let server: Server;
let url: string;

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, ttftMs: 0, tokensPerSecond: 0, tokens: 20 });
  const router = createRouter({
    providers: simulatorProviders(simulator),
    models: {
      chat: {
        deployments: [
          { provider: 'a', model: 'gw-bad+fault=status:503' },
          { provider: 'b', model: 'gw-good' },
        ],
      },
      flaky: {
        deployments: [
          { provider: 'c', model: 'gw-cut+fault=drop_after:6' },
          { provider: 'a', model: 'gw-continue' },
        ],
      },
    },
    circuit_breaker: { failure_threshold: 1, cooldown_ms: 60_000 },
    retry: { attempts: 0 },
  });
  gateway = createGateway({ router, apiKeys: [apiKey] });
  server = createServer(gateway.handleRequest);
  url = await listenOnLoopback(server);
});

afterAll(async () => {
  gateway.abortAll();
  await closeServer(server);
  await simulator.close();
});

const post = (path: string, body: unknown) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify(body),
  });

/** The joined `delta.content` of an OpenAI SSE body, and whether it ended with `[DONE]`. */
function readSse(text: string): { content: string; done: boolean; last: Record<string, unknown> | undefined } {
  let content = '';
  let last: Record<string, unknown> | undefined;
  let done = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith('data: ')) continue;
    const data = line.slice('data: '.length);
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    const chunk = JSON.parse(data);
    last = chunk;
    content += chunk.choices?.[0]?.delta?.content ?? '';
  }
  return { content, done, last };
}

describe('gateway resilience', () => {
  it('a failure before the first token is invisible: 200, one stream, headers name the deployment and attempts', async () => {
    const response = await post('/v1/chat/completions', { model: 'chat', stream: true, messages: question() });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-circuit-breaker-deployment')).toBe('b/gw-good');
    expect(response.headers.get('x-circuit-breaker-attempts')).toBe('2');
    const { content, done } = readSse(await response.text());
    expect(content.length).toBeGreaterThan(0);
    expect(done).toBe(true);
  });

  it('mid-stream failover over SSE: the joined text equals an uninterrupted answer', async () => {
    const prompt = 'Continue across providers, please.';
    const reference = readSse(
      await (
        await post('/v1/chat/completions', { model: 'a/gw-reference', stream: true, messages: question(prompt) })
      ).text(),
    ).content;
    const response = await post('/v1/chat/completions', { model: 'flaky', stream: true, messages: question(prompt) });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-circuit-breaker-deployment')).toBe('c/gw-cut+fault=drop_after:6');
    const { content, done, last } = readSse(await response.text());
    expect(content).toBe(reference);
    expect(done).toBe(true);
    expect(last?.circuit_breaker).toMatchObject({ deployment: 'a/gw-continue', failovers: 1 });
  });

  it('the Anthropic route applies the per-request extension', async () => {
    const response = await post('/v1/messages', {
      model: 'broken-model-name-for-fallback',
      max_tokens: 50,
      messages: question(),
      circuit_breaker: { fallback_models: ['chat'] },
    });
    // An unknown model is the caller's error before routing: the extension cannot rescue it.
    expect(response.status).toBe(404);
    const rescued = await post('/v1/messages', {
      model: 'a/gw-ext+fault=status:500',
      max_tokens: 50,
      messages: question(),
      circuit_breaker: { fallback_models: ['chat'] },
    });
    expect(rescued.status).toBe(200);
    expect(rescued.headers.get('x-circuit-breaker-deployment')).toBe('b/gw-good');
  });

  it('GET /v1/deployments shows circuit state, failures, latency and in-flight; gateway keys apply', async () => {
    expect((await fetch(`${url}/v1/deployments`)).status).toBe(401);
    const response = await fetch(`${url}/v1/deployments`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; data: Record<string, unknown>[] };
    expect(body.object).toBe('list');
    const byKey = new Map(body.data.map((row) => [row.key, row]));
    expect(byKey.get('a/gw-bad+fault=status:503')).toMatchObject({
      state: 'open',
      consecutiveFailures: 1,
      inFlight: 0,
    });
    expect(byKey.get('b/gw-good')).toMatchObject({ state: 'closed', provider: 'b', model: 'gw-good' });
    expect(byKey.get('b/gw-good')?.latencyMs).toEqual(expect.any(Number));
  });
});
