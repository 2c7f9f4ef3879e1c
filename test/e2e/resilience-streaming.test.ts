import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/core/router/create-router.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/start-simulator.js';
import {
  collect,
  eventually,
  ofType,
  question,
  recordEvents,
  simulatorProviders,
  startBlackhole,
} from './resilience-support.js';

/**
 * Timeouts, mid-stream failover and hedging over real sockets. Timeouts are short real ones (a few hundred ms);
 * assertions on timing are generous.
 */

let simulator: SimulatorHandle;
beforeAll(async () => {
  simulator = await startSimulator({ port: 0, ttftMs: 0, tokensPerSecond: 0, tokens: 20 });
  // Warm up fetch and the simulator (the first request of a process pays for lazy loading).
  for (const provider of ['a', 'b', 'c']) await referenceAnswer('warm up', `${provider}/warm-up`);
});
afterAll(async () => {
  await simulator.close();
});

const requests = (model: string) => simulator.stats.byModel[model] ?? 0;
const abortsOf = (model: string) => simulator.stats.aborts.records.filter((record) => record.model === model).length;
const noRetry = { attempts: 0 };

/** The answer the second deployment gives when nothing goes wrong: what a failover must reproduce exactly. */
async function referenceAnswer(prompt: string, model = 'b/reference'): Promise<string> {
  const router = createRouter({ providers: simulatorProviders(simulator), models: {} });
  const answer = await collect(router.streamChatCompletion({ model, messages: question(prompt) }));
  expect(answer.error).toBeUndefined();
  return answer.text;
}

describe('timeouts', () => {
  it('connect: an upstream that never answers is abandoned after connect_ms', async () => {
    const hole = await startBlackhole();
    try {
      const router = createRouter({
        providers: {
          ...simulatorProviders(simulator),
          hole: { type: 'openai', base_url: `${hole.url}/v1`, api_key: 'x' },
        },
        models: {
          chat: {
            deployments: [
              { provider: 'hole', model: 'void' },
              { provider: 'a', model: 'after-hole' },
            ],
          },
        },
        timeouts: { connect_ms: 1000 },
        retry: noRetry,
      });
      const events = recordEvents(router);
      const started = Date.now();
      const stream = router.streamChatCompletion({ model: 'chat', messages: question() });
      expect((await collect(stream)).error).toBeUndefined();
      expect(Date.now() - started).toBeLessThan(4000);
      expect(stream.servedBy?.deployment).toBe('a/after-hole');
      expect(ofType(events, 'attempt-failure')[0]?.error.code).toBe('TIMEOUT_CONNECT');
    } finally {
      await hole.close();
    }
  });

  it('connect: a closed port fails over at once', async () => {
    const router = createRouter({
      providers: {
        ...simulatorProviders(simulator),
        closed: { type: 'openai', base_url: 'http://127.0.0.1:1/v1', api_key: 'x' },
      },
      models: {
        chat: {
          deployments: [
            { provider: 'closed', model: 'nothing' },
            { provider: 'a', model: 'after-closed' },
          ],
        },
      },
      retry: noRetry,
    });
    const events = recordEvents(router);
    const stream = router.streamChatCompletion({ model: 'chat', messages: question() });
    expect((await collect(stream)).error).toBeUndefined();
    expect(stream.servedBy?.deployment).toBe('a/after-closed');
    expect(ofType(events, 'attempt-failure')[0]?.error.code).toBe('UPSTREAM_CONNECTION');
  });

  it('first token: headers but no content within first_token_ms aborts the upstream and moves on', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'ft-stall+fault=stall_before' },
            { provider: 'b', model: 'ft-next' },
          ],
          timeouts: { first_token_ms: 1000 },
        },
      },
      retry: noRetry,
    });
    const events = recordEvents(router);
    const stream = router.streamChatCompletion({ model: 'chat', messages: question() });
    expect((await collect(stream)).error).toBeUndefined();
    expect(stream.servedBy?.deployment).toBe('b/ft-next');
    expect(ofType(events, 'attempt-failure')[0]?.error.code).toBe('TIMEOUT_FIRST_TOKEN');
    await eventually(() => abortsOf('ft-stall') === 1);
  });

  it('request_ms: a non-streamed answer that does not come in time aborts the upstream and moves on', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'rq-stall+fault=stall_before' },
            { provider: 'b', model: 'rq-next' },
          ],
          timeouts: { request_ms: 500 },
        },
      },
      retry: noRetry,
    });
    const events = recordEvents(router);
    const completion = await router.chatCompletion({ model: 'chat', messages: question() });
    expect(completion.circuit_breaker?.deployment).toBe('b/rq-next');
    expect(ofType(events, 'attempt-failure')[0]?.error.code).toMatch(/^TIMEOUT/);
    await eventually(() => abortsOf('rq-stall') === 1);
  });

  it('idle: a stream that stalls after 3 tokens fails over and the text stays exact', async () => {
    const prompt = 'Tell me about idle timeouts.';
    const reference = await referenceAnswer(prompt);
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'idle-stall+fault=stall_after:3' },
            { provider: 'b', model: 'idle-next' },
          ],
          timeouts: { idle_ms: 1000 },
        },
      },
      retry: noRetry,
    });
    const events = recordEvents(router);
    const stream = router.streamChatCompletion({ model: 'chat', messages: question(prompt) });
    const answer = await collect(stream);
    expect(answer.error).toBeUndefined();
    expect(answer.text).toBe(reference);
    expect(ofType(events, 'attempt-failure')[0]?.error.code).toBe('TIMEOUT_IDLE');
    expect(ofType(events, 'failover')).toHaveLength(1);
    await eventually(() => abortsOf('idle-stall') === 1);
  });

  it('min_tokens_per_s: a trickle below the floor is treated like a stall', async () => {
    const prompt = 'Why is slow as bad as dead?';
    const reference = await referenceAnswer(prompt);
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'trickle+tps=5' },
            { provider: 'b', model: 'trickle-next' },
          ],
          min_tokens_per_s: 50,
          probe_window_ms: 500,
        },
      },
      retry: noRetry,
    });
    const events = recordEvents(router);
    const answer = await collect(router.streamChatCompletion({ model: 'chat', messages: question(prompt) }));
    expect(answer.error).toBeUndefined();
    expect(answer.text).toBe(reference);
    expect(ofType(events, 'attempt-failure')[0]?.error.code).toBe('TOO_SLOW');
  });
});

describe('mid-stream failover', () => {
  it.each([
    ['drop_after:5', 'a', 'b'],
    ['error_after:5', 'a', 'b'],
    ['drop_after:5', 'b', 'c'],
    ['error_after:7', 'c', 'a'],
  ])('%s on provider %s continues on %s with exactly the uninterrupted text', async (fault, first, second) => {
    const prompt = `Explain failover (${fault}, ${first} to ${second}).`;
    const reference = await referenceAnswer(prompt, `${second}/reference`);
    const broken = `mid-${first}-${fault.replace(':', '-')}`;
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: first, model: `${broken}+fault=${fault}` },
            { provider: second, model: 'mid-next' },
          ],
        },
      },
    });
    const events = recordEvents(router);
    const before = requests(broken);
    const stream = router.streamChatCompletion({
      model: 'chat',
      messages: question(prompt),
      stream_options: { include_usage: true },
    });
    const answer = await collect(stream);
    expect(answer.error).toBeUndefined();
    expect(answer.text).toBe(reference);
    // Never a silent retry of the broken deployment.
    expect(requests(broken) - before).toBe(1);
    expect(ofType(events, 'failover')).toEqual([
      expect.objectContaining({ from: `${first}/${broken}+fault=${fault}`, to: `${second}/mid-next` }),
    ]);
    expect(answer.chunks.filter((chunk) => chunk.choices[0]?.delta.role)).toHaveLength(1);
    expect(answer.chunks.at(-1)?.circuit_breaker).toMatchObject({ deployment: `${second}/mid-next`, failovers: 1 });
    const end = ofType(events, 'request-end')[0];
    expect(end).toMatchObject({ outcome: 'success', failovers: 1 });
  });

  it('with midstream_failover: false the stream ends with the error after its content', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'nofo+fault=drop_after:5' },
            { provider: 'b', model: 'nofo-next' },
          ],
          midstream_failover: false,
        },
      },
    });
    const answer = await collect(router.streamChatCompletion({ model: 'chat', messages: question() }));
    expect(answer.text.length).toBeGreaterThan(0);
    expect(answer.error).toMatchObject({ retryable: true });
    expect(requests('nofo-next')).toBe(0);
  });

  it('with nothing healthy left the stream ends with the error, never retrying the broken deployment', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: { chat: { deployments: [{ provider: 'a', model: 'alone+fault=error_after:4' }] } },
    });
    const answer = await collect(router.streamChatCompletion({ model: 'chat', messages: question() }));
    expect(answer.text.length).toBeGreaterThan(0);
    expect(answer.error).toMatchObject({ code: 'UPSTREAM_STREAM_ERROR' });
    expect(requests('alone')).toBe(1);
  });

  it('does not fail over once a tool call has started streaming', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'toolcut+tool_calls=1+fault=drop_after:2' },
            { provider: 'b', model: 'toolcut-next' },
          ],
        },
      },
    });
    const answer = await collect(
      router.streamChatCompletion({
        model: 'chat',
        messages: question('What is the weather in Paris?'),
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
            },
          },
        ],
      }),
    );
    expect(answer.chunks.some((chunk) => chunk.choices[0]?.delta.tool_calls)).toBe(true);
    expect(answer.error).toBeDefined();
    expect(requests('toolcut-next')).toBe(0);
  });
});

describe('hedging', () => {
  it('starts a second deployment after hedge_after_ms; the first to produce content wins, the loser is aborted', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'hedge-slow+ttft=8000' },
            { provider: 'b', model: 'hedge-fast' },
          ],
          hedge_after_ms: 100,
        },
      },
    });
    const events = recordEvents(router);
    const started = Date.now();
    const stream = router.streamChatCompletion({ model: 'chat', messages: question() });
    const answer = await collect(stream);
    expect(answer.error).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(6000);
    expect(stream.servedBy).toMatchObject({ deployment: 'b/hedge-fast', hedged: true, attempts: 2 });
    expect(ofType(events, 'hedge')).toEqual([
      expect.objectContaining({ primary: 'a/hedge-slow+ttft=8000', hedge: 'b/hedge-fast', winner: 'b/hedge-fast' }),
    ]);
    // The loser's upstream saw the abort, long before its first token would have come.
    await eventually(() => abortsOf('hedge-slow') === 1);
    expect(ofType(events, 'request-end')[0]).toMatchObject({ hedged: true, outcome: 'success' });
    expect(router.deployments().find((row) => row.key === 'a/hedge-slow+ttft=8000')?.inFlight).toBe(0);
  });

  it('the primary can still win when it answers before the hedge', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'hedge-win+ttft=250' },
            { provider: 'b', model: 'hedge-late+ttft=8000' },
          ],
          hedge_after_ms: 50,
        },
      },
    });
    const stream = router.streamChatCompletion({ model: 'chat', messages: question() });
    expect((await collect(stream)).error).toBeUndefined();
    expect(stream.servedBy).toMatchObject({ deployment: 'a/hedge-win+ttft=250', hedged: true });
    await eventually(() => abortsOf('hedge-late') === 1);
  });

  it('no hedge when the first content comes in time', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: {
        chat: {
          deployments: [
            { provider: 'a', model: 'hedge-none' },
            { provider: 'b', model: 'hedge-unused' },
          ],
          hedge_after_ms: 3000,
        },
      },
    });
    const events = recordEvents(router);
    const stream = router.streamChatCompletion({ model: 'chat', messages: question() });
    await collect(stream);
    expect(stream.servedBy?.hedged).toBeUndefined();
    expect(ofType(events, 'hedge')).toHaveLength(0);
    expect(requests('hedge-unused')).toBe(0);
  });
});

describe('cancellation', () => {
  it('leaving the loop early aborts the upstream and frees the deployment', async () => {
    const router = createRouter({
      providers: simulatorProviders(simulator),
      models: { chat: { deployments: [{ provider: 'a', model: 'leave+tps=50' }] } },
    });
    const events = recordEvents(router);
    for await (const chunk of router.streamChatCompletion({ model: 'chat', messages: question() })) {
      if (chunk.choices[0]?.delta.content) break;
    }
    await eventually(() => abortsOf('leave') === 1);
    expect(ofType(events, 'request-end')[0]?.outcome).toBe('cancelled');
    expect(router.deployments().find((row) => row.key === 'a/leave+tps=50')).toMatchObject({
      inFlight: 0,
      state: 'closed',
      consecutiveFailures: 0,
    });
  });
});
