import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/core/router/create-router.js';
import { createSharedState, resolveStateConfig, type SharedState } from '../../src/node/redis/create-shared-state.js';
import { createGateway, type Gateway } from '../../src/server/create-gateway.js';
import { defaultSessionSettings } from '../../src/server/sessions/session-settings.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/start-simulator.js';
import { type RedisServerHandle, startRedisServer } from '../support/redis-server.js';

/**
 * Stream sessions across two gateway instances sharing a real redis-server: a stream started through one is resumed
 * with `Last-Event-ID` through the other (every event exactly once, in order, to the end), and cancelled through the
 * other (the upstream is aborted on the instance running it).
 */

interface Instance {
  url: string;
  shared: SharedState;
  gateway: Gateway;
  server: Server;
}

let redis: RedisServerHandle;
let simulator: SimulatorHandle;
const instances: Instance[] = [];
const apiKey = 'session-key';

async function startInstance(): Promise<Instance> {
  const shared = await createSharedState({
    config: resolveStateConfig({ backend: 'redis', url: redis.url, key_prefix: 'sessions-e2e:' }, {}),
  });
  const router = createRouter(
    {
      providers: { sim: { type: 'openai', base_url: `${simulator.url}/v1`, api_key: 'sim-key' } },
      // 30 tokens at 40/s: three quarters of a second, time to leave and come back through the other instance.
      models: {
        slow: { deployments: [{ provider: 'sim', model: 'gpt-sim+tps=40+tokens=30' }] },
        // A second and a half: far longer than the detach timeout below.
        long: { deployments: [{ provider: 'sim', model: 'gpt-sim+tps=20+tokens=30' }] },
      },
    },
    { store: shared.stateStore, env: {} },
  );
  const sessionJournal = shared.sessionJournal(defaultSessionSettings);
  // A short detach timeout: a stream followed from another instance must not be timed out where it runs.
  const gateway = createGateway({ router, apiKeys: [apiKey], sessionJournal, sessions: { detachTimeoutMs: 400 } });
  const server = createServer(gateway.handleRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, shared, gateway, server };
}

beforeAll(async () => {
  redis = await startRedisServer();
  simulator = await startSimulator();
  for (let index = 0; index < 2; index += 1) instances.push(await startInstance());
});

afterAll(async () => {
  for (const instance of instances) {
    instance.gateway.close();
    instance.server.closeAllConnections();
    await new Promise((resolve) => instance.server.close(resolve));
    await instance.shared.close();
  }
  await simulator?.close();
  await redis?.stop();
});

const headers = { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` };

function startStream(instance: Instance, signal?: AbortSignal, model = 'slow'): Promise<Response> {
  return fetch(`${instance.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { ...headers, 'x-circuit-breaker-resumable': 'true' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'tell me more' }] }),
    signal,
  });
}

/** Reads SSE frames until `stop` says so or the body ends; returns the frames' ids and data. */
async function readFrames(response: Response, stop: (frames: Frame[]) => boolean = () => false): Promise<Frame[]> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const frames: Frame[] = [];
  let text = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    let end = text.indexOf('\n\n');
    while (end !== -1) {
      const block = text.slice(0, end);
      text = text.slice(end + 2);
      const id = /^id: (\d+)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data !== undefined) frames.push({ id: id === undefined ? undefined : Number(id), data });
      end = text.indexOf('\n\n');
    }
    if (stop(frames)) {
      await reader.cancel();
      break;
    }
  }
  return frames;
}

interface Frame {
  id: number | undefined;
  data: string;
}

const contentOf = (frames: Frame[]) =>
  frames
    .filter((frame) => frame.data !== '[DONE]')
    .map(
      (frame) =>
        (JSON.parse(frame.data) as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? '',
    )
    .join('');

describe('stream sessions across instances', () => {
  it('resumes through another instance after Last-Event-ID, every event once, to the end', async () => {
    const [a, b] = instances;
    // The whole answer straight through, for comparison (the simulator answers deterministically).
    const whole = await readFrames(await startStream(a));
    expect(whole.at(-1)?.data).toBe('[DONE]');

    const controller = new AbortController();
    const first = await startStream(a, controller.signal);
    const id = first.headers.get('x-circuit-breaker-stream-id')!;
    expect(first.headers.get('x-circuit-breaker-resumable')).toBe('true');
    const before = await readFrames(first, (frames) => frames.length >= 5);
    controller.abort();
    const lastEventId = before.at(-1)!.id!;

    await delay(50);
    const resumed = await fetch(`${b.url}/v1/streams/${id}`, {
      headers: { ...headers, 'last-event-id': String(lastEventId) },
    });
    expect(resumed.status).toBe(200);
    const after = await readFrames(resumed);
    expect(after[0].id).toBe(lastEventId + 1);
    const ids = [...before, ...after].flatMap((frame) => (frame.id === undefined ? [] : [frame.id]));
    expect(ids).toEqual(ids.map((_, index) => index));
    expect(after.at(-1)?.data).toBe('[DONE]');
    expect(contentOf([...before, ...after])).toBe(contentOf(whole));

    // Another key does not see it, wherever it asks.
    const stranger = await fetch(`${b.url}/v1/streams/${id}`, { headers: { authorization: 'Bearer nope' } });
    expect(stranger.status).toBe(401);
  });

  it('keeps a stream running where it started while another instance serves its resume (detach timeout held)', async () => {
    const [a, b] = instances;
    const controller = new AbortController();
    const first = await startStream(a, controller.signal, 'long');
    const id = first.headers.get('x-circuit-breaker-stream-id')!;
    const before = await readFrames(first, (frames) => frames.length >= 2);
    controller.abort();
    const resumed = await fetch(`${b.url}/v1/streams/${id}`, {
      headers: { ...headers, 'last-event-id': String(before.at(-1)!.id) },
    });
    const after = await readFrames(resumed);
    // Far past the 400 ms detach timeout, and still the whole answer.
    expect(after.at(-1)?.data).toBe('[DONE]');
    expect(after.some((frame) => frame.data.includes('cancel'))).toBe(false);
  });

  it('cancels a stream through another instance: the instance running it aborts its upstream', async () => {
    const [a, b] = instances;
    const abortsBefore = simulator.stats.aborts.count;
    const response = await startStream(a);
    const id = response.headers.get('x-circuit-breaker-stream-id')!;
    const reading = readFrames(response);
    await delay(100);
    const started = performance.now();
    const deleted = await fetch(`${b.url}/v1/streams/${id}`, { method: 'DELETE', headers });
    expect(deleted.status).toBe(200);
    const frames = await reading;
    const elapsed = performance.now() - started;
    expect(frames.some((frame) => frame.data.includes('stream_cancelled'))).toBe(true);
    expect(elapsed).toBeLessThan(500);
    await waitFor(() => simulator.stats.aborts.count > abortsBefore);
    // Unknown ids are a 404 on every instance.
    const missing = await fetch(`${b.url}/v1/streams/stream_nope`, { method: 'DELETE', headers });
    expect(missing.status).toBe(404);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(10);
  }
}
