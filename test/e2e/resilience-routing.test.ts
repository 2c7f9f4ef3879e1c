import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeededRandom } from '../../src/core/resilience/seeded-random.js';
import { createRouter } from '../../src/core/router/create-router.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/start-simulator.js';
import { collect, question, simulatorProviders } from './resilience-support.js';

/** Strategies, virtual models, the per-request extension and adaptive rate limiting, served by the simulator. */

let simulator: SimulatorHandle;
beforeAll(async () => {
  simulator = await startSimulator({ port: 0, ttftMs: 0, tokensPerSecond: 0, tokens: 10 });
});
afterAll(async () => {
  await simulator.close();
});

type TestRouter = ReturnType<typeof createRouter>;
async function servedBy(router: TestRouter, body: Record<string, unknown>): Promise<string | undefined> {
  const stream = router.streamChatCompletion({ messages: question(), ...body });
  const answer = await collect(stream);
  expect(answer.error).toBeUndefined();
  return stream.servedBy?.deployment;
}

describe('strategies', () => {
  it('priority: config order', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'c', model: 'p-1' },
            { provider: 'a', model: 'p-2' },
          ],
        },
      },
    });
    for (let index = 0; index < 3; index++) expect(await servedBy(router, { model: 'chat' })).toBe('c/p-1');
  });

  it('weighted: picks in proportion to weight', async () => {
    const router = createRouter(
      {
        providers: simulatorProviders(simulator),
        models: {
          chat: {
            strategy: 'weighted',
            deployments: [
              { provider: 'a', model: 'w-1', weight: 1 },
              { provider: 'b', model: 'w-3', weight: 3 },
            ],
          },
        },
      },
      { random: createSeededRandom(42) },
    );
    const counts = new Map<string, number>();
    for (let index = 0; index < 80; index++) {
      const completion = await router.chatCompletion({ model: 'chat', messages: question() });
      const key = completion.circuit_breaker!.deployment;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const heavy = counts.get('b/w-3') ?? 0;
    expect(heavy / 80).toBeGreaterThan(0.6);
    expect(heavy / 80).toBeLessThan(0.9);
  });

  it('latency: lowest time-to-first-token EWMA first, unmeasured ones tried first', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          strategy: 'latency',
          deployments: [
            { provider: 'a', model: 'lat-slow+ttft=150' },
            { provider: 'b', model: 'lat-fast' },
          ],
        },
      },
    });
    expect(await servedBy(router, { model: 'chat' })).toBe('a/lat-slow+ttft=150');
    expect(await servedBy(router, { model: 'chat' })).toBe('b/lat-fast');
    expect(await servedBy(router, { model: 'chat' })).toBe('b/lat-fast');
    const slow = router.deployments().find((row) => row.key === 'a/lat-slow+ttft=150');
    expect(slow?.latencyMs).toBeGreaterThanOrEqual(140);
    expect(slow?.p95LatencyMs).toBeGreaterThanOrEqual(140);
  });

  it('least-busy: fewest in-flight requests first', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          strategy: 'least-busy',
          deployments: [
            { provider: 'a', model: 'busy-1+tps=20' },
            { provider: 'b', model: 'busy-2' },
          ],
        },
      },
    });
    const long = router.streamChatCompletion({ model: 'chat', messages: question() });
    const iterator = long[Symbol.asyncIterator]();
    await iterator.next();
    expect(long.servedBy?.deployment).toBe('a/busy-1+tps=20');
    expect(router.deployments().find((row) => row.key === 'a/busy-1+tps=20')?.inFlight).toBe(1);
    expect(await servedBy(router, { model: 'chat' })).toBe('b/busy-2');
    await iterator.return?.();
    expect(await servedBy(router, { model: 'chat' })).toBe('a/busy-1+tps=20');
  });

  it('cost: cheapest by the price table, overridable in config', async () => {
    const deployments = [
      { provider: 'a', model: 'gpt-4o' },
      { provider: 'b', model: 'claude-haiku-4-5' },
      { provider: 'c', model: 'gemini-2.5-flash' },
    ];
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: { chat: { strategy: 'cost', deployments } },
    });
    expect(await servedBy(router, { model: 'chat' })).toBe('c/gemini-2.5-flash');
    const overridden = createRouter({
      providers: simulatorProviders(simulator),
      models: { chat: { strategy: 'cost', deployments } },
      prices: { 'claude-haiku-4-5': { input_per_1m: 0.01, output_per_1m: 0.01 } },
    });
    expect(await servedBy(overridden, { model: 'chat' })).toBe('b/claude-haiku-4-5');
  });
});

describe('virtual models', () => {
  const providers = () => ({
    'sim-openai': { type: 'openai' as const, base_url: `${simulator.url}/v1`, api_key: 'sim' },
    'sim-anthropic': { type: 'anthropic' as const, base_url: simulator.url, api_key: 'sim' },
    'sim-google': { type: 'google' as const, base_url: simulator.url, api_key: 'sim' },
  });

  it('are listed beside the configured models and route over the configured providers', async () => {
    const router = createRouter({
      providers: providers(),
      models: { mine: { deployments: [{ provider: 'sim-openai', model: 'mine' }] } },
    });
    const ids = router.listModels().map((model) => model.id);
    expect(ids).toEqual([
      'mine',
      'auto',
      'cb:fastest',
      'cb:cost-optimal',
      'cb:smart-chat',
      'cb:coding',
      'cb:analysis',
      'cb:creative',
    ]);
    expect(await servedBy(router, { model: 'cb:cost-optimal' })).toBe('sim-openai/gpt-4o-mini');
    expect(await servedBy(router, { model: 'cb:coding' })).toBe('sim-anthropic/claude-sonnet-4-5');
    expect(await servedBy(router, { model: 'cb:analysis' })).toBe('sim-google/gemini-2.5-pro');
    expect(await servedBy(router, { model: 'auto' })).toBe('sim-openai/gpt-4o');
    expect(router.resolve('cb:fastest').deployments.map((deployment) => deployment.model)).toEqual([
      'gpt-4o-mini',
      'claude-haiku-4-5',
      'gemini-2.5-flash',
    ]);
  });

  it('the user overrides a virtual model by name; only providers with credentials take part', async () => {
    const router = createRouter({
      providers: { ...providers(), 'sim-openai': { type: 'openai', base_url: `${simulator.url}/v1` } },
      models: { auto: { deployments: [{ provider: 'sim-anthropic', model: 'my-auto' }] } },
    });
    expect(router.resolve('auto').deployments.map((deployment) => deployment.key)).toEqual(['sim-anthropic/my-auto']);
    expect(router.resolve('cb:creative').deployments.map((deployment) => deployment.key)).toEqual([
      'sim-anthropic/claude-sonnet-4-5',
      'sim-google/gemini-2.5-pro',
    ]);
  });

  it('none without providers', () => {
    expect(createRouter({ providers: {}, models: {} }, { env: {} }).listModels()).toEqual([]);
  });
});

describe('per-request circuit_breaker extension', () => {
  const deployments = [
    { provider: 'a', model: 'gpt-4o' },
    { provider: 'b', model: 'claude-haiku-4-5' },
    { provider: 'c', model: 'gemini-2.5-flash' },
  ];
  const router = () =>
    createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: { deployments },
        spare: { deployments: [{ provider: 'b', model: 'ext-spare' }] },
        broken: { deployments: [{ provider: 'a', model: 'ext-broken+fault=status:500' }] },
      },
      retry: { attempts: 0 },
    });

  it('routing_strategy overrides the model strategy', async () => {
    expect(await servedBy(router(), { model: 'chat' })).toBe('a/gpt-4o');
    expect(await servedBy(router(), { model: 'chat', circuit_breaker: { routing_strategy: 'cost' } })).toBe(
      'c/gemini-2.5-flash',
    );
  });

  it('max_cost_per_1k_tokens leaves out deployments above the cap', async () => {
    // Mean of input and output per 1k tokens: gpt-4o 0.00625, claude-haiku-4-5 0.003, gemini-2.5-flash 0.0014.
    expect(await servedBy(router(), { model: 'chat', circuit_breaker: { max_cost_per_1k_tokens: 0.004 } })).toBe(
      'b/claude-haiku-4-5',
    );
    const none = await collect(
      router().streamChatCompletion({
        model: 'chat',
        messages: question(),
        circuit_breaker: { max_cost_per_1k_tokens: 0 },
      }),
    );
    expect(none.error).toMatchObject({ code: 'NO_DEPLOYMENT_AVAILABLE' });
  });

  it('max_latency_ms leaves out deployments whose TTFT EWMA is above it', async () => {
    const shared = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'ext-slow+ttft=200' },
            { provider: 'b', model: 'ext-quick' },
          ],
        },
      },
    });
    expect(await servedBy(shared, { model: 'chat' })).toBe('a/ext-slow+ttft=200');
    expect(await servedBy(shared, { model: 'chat', circuit_breaker: { max_latency_ms: 100 } })).toBe('b/ext-quick');
  });

  it('fallback_models are tried when the model has nothing left', async () => {
    expect(await servedBy(router(), { model: 'broken', circuit_breaker: { fallback_models: ['spare'] } })).toBe(
      'b/ext-spare',
    );
  });
});

describe('adaptive rate limiting', () => {
  it('a deployment whose headers say it is near its limit goes to the back of the order', async () => {
    const router = createRouter(
      {
        providers: simulatorProviders(simulator),
        models: {
          chat: {
            deployments: [
              { provider: 'a', model: 'rl-near' },
              { provider: 'b', model: 'rl-room' },
            ],
          },
        },
      },
      {
        // The simulator sends no rate-limit headers on success: add OpenAI's to every answer of rl-near.
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          if (!String(init?.body).includes('"rl-near"')) return response;
          const headers = new Headers(response.headers);
          headers.set('x-ratelimit-limit-requests', '100');
          headers.set('x-ratelimit-remaining-requests', '2');
          headers.set('x-ratelimit-reset-requests', '20s');
          return new Response(response.body, { status: response.status, headers });
        },
      },
    );
    expect(await servedBy(router, { model: 'chat' })).toBe('a/rl-near');
    expect(router.deployments().find((row) => row.key === 'a/rl-near')).toMatchObject({
      nearRateLimit: true,
      rateLimit: expect.objectContaining({ remainingRequests: 2, limitRequests: 100 }),
    });
    expect(await servedBy(router, { model: 'chat' })).toBe('b/rl-room');
  });
});
