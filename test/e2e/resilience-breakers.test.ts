import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock } from '../../src/core/resilience/create-manual-clock.js';
import { createRouter } from '../../src/core/router/create-router.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/start-simulator.js';
import { collect, ofType, question, recordEvents, simulatorProviders } from './resilience-support.js';

/**
 * Breakers, retries and fallbacks before the first token, against the simulator over real sockets: what the
 * failing upstream receives (its request count by model) is the evidence.
 */

let simulator: SimulatorHandle;
beforeAll(async () => {
  simulator = await startSimulator({ port: 0, ttftMs: 0, tokensPerSecond: 0, tokens: 20 });
});
afterAll(async () => {
  await simulator.close();
});

const requests = (model: string) => simulator.stats.byModel[model] ?? 0;
const fastRetry = { attempts: 1, base_delay_ms: 1, max_delay_ms: 20 };

describe('circuit breaker per deployment', () => {
  it('opens after the threshold and the failing upstream receives nothing during the cooldown', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'brk-bad+fault=status:503' },
            { provider: 'b', model: 'brk-good' },
          ],
        },
      },
      circuit_breaker: { failure_threshold: 2, cooldown_ms: 60_000 },
      retry: fastRetry,
    });
    const events = recordEvents(router);
    const first = router.streamChatCompletion({ model: 'chat', messages: question(), stream: true });
    const answer = await collect(first);
    expect(answer.error).toBeUndefined();
    expect(first.servedBy).toMatchObject({ deployment: 'b/brk-good', attempts: 3 });
    // The first try and one retry, then the circuit opened.
    expect(requests('brk-bad')).toBe(2);
    expect(ofType(events, 'retry')).toHaveLength(1);
    expect(ofType(events, 'circuit-open')).toEqual([
      expect.objectContaining({ deployment: 'a/brk-bad+fault=status:503' }),
    ]);
    expect(ofType(events, 'fallback')[0]).toMatchObject({ from: 'a/brk-bad+fault=status:503', to: 'b/brk-good' });

    for (let index = 0; index < 5; index++) {
      const stream = router.streamChatCompletion({ model: 'chat', messages: question(), stream: true });
      expect((await collect(stream)).error).toBeUndefined();
      expect(stream.servedBy).toMatchObject({ deployment: 'b/brk-good', attempts: 1 });
    }
    expect(requests('brk-bad')).toBe(2);
    const bad = router.deployments().find((row) => row.key === 'a/brk-bad+fault=status:503');
    expect(bad).toMatchObject({ state: 'open', openCount: 1 });
    expect(bad?.retryAfterMs).toBeGreaterThan(50_000);
  });

  it('admits one half-open probe after the cooldown; its success closes the circuit', async () => {
    const clock = createManualClock(1_000_000);
    const router = createRouter(
      {
        providers: simulatorProviders(simulator),
        models: {
          chat: {
            deployments: [
              { provider: 'a', model: 'probe-x' },
              { provider: 'b', model: 'probe-y' },
            ],
          },
        },
        circuit_breaker: { failure_threshold: 1, cooldown_ms: 1000 },
        retry: { attempts: 0 },
      },
      { clock },
    );
    const events = recordEvents(router);
    simulator.setFault({ match: 'probe-x', fault: 'status:500', remaining: 1 });
    const first = router.streamChatCompletion({ model: 'chat', messages: question(), stream: true });
    await collect(first);
    expect(first.servedBy?.deployment).toBe('b/probe-y');
    expect(requests('probe-x')).toBe(1);

    clock.advance(999);
    const during = router.streamChatCompletion({ model: 'chat', messages: question(), stream: true });
    await collect(during);
    expect(during.servedBy?.deployment).toBe('b/probe-y');
    expect(requests('probe-x')).toBe(1);

    clock.advance(1);
    const probe = router.streamChatCompletion({ model: 'chat', messages: question(), stream: true });
    expect((await collect(probe)).error).toBeUndefined();
    expect(probe.servedBy?.deployment).toBe('a/probe-x');
    expect(requests('probe-x')).toBe(2);
    expect(events.map((event) => event.type).filter((type) => type.startsWith('circuit-'))).toEqual([
      'circuit-open',
      'circuit-half-open',
      'circuit-close',
    ]);
    expect(router.deployments().find((row) => row.key === 'a/probe-x')?.state).toBe('closed');
  });

  it('a failed probe re-opens the circuit with a doubled cooldown', async () => {
    const clock = createManualClock(5_000_000);
    const router = createRouter(
      {
        providers: simulatorProviders(simulator),
        models: {
          chat: {
            deployments: [
              { provider: 'a', model: 'reprobe+fault=status:502' },
              { provider: 'b', model: 'reprobe-ok' },
            ],
          },
        },
        circuit_breaker: { failure_threshold: 1, cooldown_ms: 1000 },
        retry: { attempts: 0 },
      },
      { clock },
    );
    const events = recordEvents(router);
    await collect(router.streamChatCompletion({ model: 'chat', messages: question() }));
    clock.advance(1000);
    await collect(router.streamChatCompletion({ model: 'chat', messages: question() }));
    expect(requests('reprobe')).toBe(2);
    expect(ofType(events, 'circuit-open').map((event) => event.cooldownMs)).toEqual([1000, 2000]);
  });

  it('401 marks the deployment misconfigured: open at once for the longest cooldown, traffic moves on', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'key+fault=status:401' },
            { provider: 'b', model: 'key-ok' },
          ],
        },
      },
      circuit_breaker: { failure_threshold: 5, max_cooldown_ms: 120_000 },
      retry: fastRetry,
    });
    const events = recordEvents(router);
    const stream = router.streamChatCompletion({ model: 'chat', messages: question() });
    expect((await collect(stream)).error).toBeUndefined();
    expect(stream.servedBy?.deployment).toBe('b/key-ok');
    expect(requests('key')).toBe(1);
    expect(ofType(events, 'circuit-open')[0]?.cooldownMs).toBe(120_000);
  });
});

describe('retries and fallbacks before the first token', () => {
  it('honours retry-after on a retry of the same deployment', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: { chat: { deployments: [{ provider: 'a', model: 'ra-wait' }] } },
      retry: { attempts: 1, base_delay_ms: 1, max_delay_ms: 5000 },
    });
    const events = recordEvents(router);
    simulator.setFault({ match: 'ra-wait', fault: 'rate_limit:1', remaining: 1 });
    const started = Date.now();
    const stream = router.streamChatCompletion({ model: 'chat', messages: question() });
    expect((await collect(stream)).error).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(ofType(events, 'retry')[0]?.delayMs).toBeGreaterThanOrEqual(1000);
    expect(stream.servedBy).toMatchObject({ deployment: 'a/ra-wait', attempts: 2 });
    expect(requests('ra-wait')).toBe(2);
  });

  it('moves straight on when retry-after is longer than max_delay_ms', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'ra-long+fault=rate_limit:30' },
            { provider: 'b', model: 'ra-next' },
          ],
        },
      },
      retry: { attempts: 2, base_delay_ms: 1, max_delay_ms: 500 },
    });
    const events = recordEvents(router);
    const started = Date.now();
    const stream = router.streamChatCompletion({ model: 'chat', messages: question() });
    expect((await collect(stream)).error).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(400);
    expect(ofType(events, 'retry')).toHaveLength(0);
    expect(requests('ra-long')).toBe(1);
    expect(stream.servedBy?.deployment).toBe('b/ra-next');
  });

  it('falls back to another model when every deployment of the first fails', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'fbm-1+fault=status:500' },
            { provider: 'b', model: 'fbm-2+fault=overloaded' },
          ],
          fallbacks: ['backup'],
        },
        backup: { deployments: [{ provider: 'c', model: 'fbm-backup' }] },
      },
      retry: { attempts: 0 },
    });
    const events = recordEvents(router);
    const stream = router.streamChatCompletion({ model: 'chat', messages: question(), stream: true });
    const answer = await collect(stream);
    expect(answer.error).toBeUndefined();
    expect(answer.text.length).toBeGreaterThan(0);
    expect(stream.servedBy).toMatchObject({ deployment: 'c/fbm-backup', attempts: 3 });
    expect(ofType(events, 'fallback').map((event) => [event.from, event.to])).toEqual([
      ['a/fbm-1+fault=status:500', 'b/fbm-2+fault=overloaded'],
      ['b/fbm-2+fault=overloaded', 'c/fbm-backup'],
    ]);
    // The client saw one normal stream: one role, content, one finish.
    expect(answer.chunks.filter((chunk) => chunk.choices[0]?.delta.role)).toHaveLength(1);
    expect(answer.chunks.at(-1)?.circuit_breaker).toMatchObject({ deployment: 'c/fbm-backup', attempts: 3 });
  });

  it('does not retry caller errors: the upstream sees exactly one request', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'caller+fault=status:400' },
            { provider: 'b', model: 'caller-other' },
          ],
        },
        missing: {
          deployments: [
            { provider: 'a', model: 'caller404+fault=status:404' },
            { provider: 'b', model: 'caller-other' },
          ],
        },
      },
      retry: fastRetry,
    });
    const bad = await collect(router.streamChatCompletion({ model: 'chat', messages: question() }));
    expect(bad.error).toMatchObject({ status: 400 });
    const notFound = await collect(router.streamChatCompletion({ model: 'missing', messages: question() }));
    expect(notFound.error).toMatchObject({ status: 404 });
    expect(requests('caller')).toBe(1);
    expect(requests('caller404')).toBe(1);
    expect(requests('caller-other')).toBe(0);
    expect(router.deployments().find((row) => row.key === 'a/caller+fault=status:400')?.consecutiveFailures).toBe(0);
  });

  it('a context-length error moves to context_window_fallbacks', async () => {
    let calls = 0;
    const router = createRouter(
      {
        providers: simulatorProviders(simulator),
        models: {
          small: { deployments: [{ provider: 'a', model: 'ctx-small' }], context_window_fallbacks: ['large'] },
          large: { deployments: [{ provider: 'b', model: 'ctx-large' }] },
        },
        retry: fastRetry,
      },
      {
        // The simulator has no context limit: answer the small model's request as OpenAI does for a long prompt.
        fetch: async (input, init) => {
          if (String(init?.body).includes('"ctx-small"')) {
            calls++;
            return new Response(
              JSON.stringify({
                error: {
                  message: 'maximum context length is 8192 tokens',
                  type: 'invalid_request_error',
                  code: 'context_length_exceeded',
                },
              }),
              { status: 400, headers: { 'content-type': 'application/json' } },
            );
          }
          return fetch(input, init);
        },
      },
    );
    const stream = router.streamChatCompletion({ model: 'small', messages: question() });
    expect((await collect(stream)).error).toBeUndefined();
    expect(calls).toBe(1);
    expect(stream.servedBy?.deployment).toBe('b/ctx-large');
  });

  it('ends with NoDeploymentAvailable listing every failure when nothing is left', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'none-1+fault=status:500' },
            { provider: 'b', model: 'none-2+fault=status:503' },
          ],
        },
      },
      retry: { attempts: 1, base_delay_ms: 1, max_delay_ms: 5, max_attempts_total: 3 },
    });
    const result = await collect(router.streamChatCompletion({ model: 'chat', messages: question() }));
    expect(result.chunks).toHaveLength(0);
    expect(result.error).toMatchObject({ code: 'NO_DEPLOYMENT_AVAILABLE', status: 503 });
    // The attempt limit: 2 on the first deployment, 1 on the second.
    expect(requests('none-1') + requests('none-2')).toBe(3);
  });

  it('non-streamed completions get breakers, retries and fallbacks too', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'ns-bad+fault=status:503' },
            { provider: 'c', model: 'ns-good' },
          ],
        },
      },
      circuit_breaker: { failure_threshold: 2 },
      retry: fastRetry,
    });
    const completion = await router.chatCompletion({ model: 'chat', messages: question() });
    expect(completion.circuit_breaker).toMatchObject({ deployment: 'c/ns-good', attempts: 3 });
    await router.chatCompletion({ model: 'chat', messages: question() });
    expect(requests('ns-bad')).toBe(2);
  });
});
