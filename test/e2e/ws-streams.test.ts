import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Harness, sleep, startHarness, waitUntil } from './sessions-harness.js';

/**
 * `/v1/ws` from the `ws` client over a real socket, the simulator as upstream: interleaved streams on one socket,
 * cancel, close (upstream aborts), bad messages, and authentication at the upgrade.
 */

const key = 'sk-gateway-ws';
let harness: Harness;

interface ServerMessage {
  type: 'chunk' | 'done' | 'error';
  id: string | null;
  chunk?: { choices: { delta: { content?: string } }[] };
  usage?: unknown;
  error?: { code: string; message: string };
}

beforeAll(async () => {
  harness = await startHarness({ gateway: { apiKeys: [key] } });
});

afterAll(async () => {
  await harness.close();
});

async function connect(options: { headers?: Record<string, string>; protocols?: string[]; query?: string } = {}) {
  const ws = new WebSocket(`${harness.url.replace('http', 'ws')}/v1/ws${options.query ?? ''}`, options.protocols, {
    headers: options.headers,
  });
  const messages: ServerMessage[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
  await once(ws, 'open');
  return { ws, messages };
}

function create(ws: WebSocket, id: string, model: string): void {
  ws.send(
    JSON.stringify({
      type: 'chat.completion.create',
      id,
      request: { model, messages: [{ role: 'user', content: `Question ${id}` }] },
    }),
  );
}

const textOf = (messages: ServerMessage[], id: string) =>
  messages
    .filter((message) => message.type === 'chunk' && message.id === id)
    .map((message) => message.chunk!.choices[0]?.delta.content ?? '')
    .join('');

describe('/v1/ws', () => {
  it('runs concurrent streams interleaved on one socket; cancel stops one, the others finish', async () => {
    const { ws, messages } = await connect({ headers: { authorization: `Bearer ${key}` } });
    const before = harness.simulator.stats.aborts.count;
    create(ws, 'a', 'openai/gpt-sim+tps=200+tokens=40');
    create(ws, 'b', 'anthropic/claude-sim+tps=200+tokens=40');
    create(ws, 'c', 'openai/gpt-sim+tps=20+tokens=400');
    await waitUntil(() => messages.some((message) => message.id === 'c' && message.type === 'chunk'));
    ws.send(JSON.stringify({ type: 'cancel', id: 'c' }));
    await waitUntil(() => ['a', 'b', 'c'].every((id) => messages.some((m) => m.id === id && m.type !== 'chunk')));

    expect(messages.find((m) => m.id === 'a' && m.type === 'done')).toBeDefined();
    expect(messages.find((m) => m.id === 'b' && m.type === 'done')).toBeDefined();
    expect(messages.find((m) => m.id === 'c' && m.type === 'error')!.error!.code).toBe('stream_cancelled');
    expect(textOf(messages, 'a').length).toBeGreaterThan(0);
    expect(textOf(messages, 'b').length).toBeGreaterThan(0);
    // Interleaved: b's chunks arrive between a's first and last, not after them.
    const order = messages.filter((m) => m.type === 'chunk').map((m) => m.id);
    expect(order.indexOf('b')).toBeLessThan(order.lastIndexOf('a'));
    await waitUntil(() => harness.simulator.stats.aborts.count === before + 1);
    ws.close();
  });

  it('closing the socket aborts every upstream request it had', async () => {
    const { ws, messages } = await connect({ protocols: ['circuit-breaker.v1', `bearer.${key}`] });
    expect(ws.protocol).toBe('circuit-breaker.v1');
    const before = harness.simulator.stats.aborts.count;
    create(ws, 'x', 'openai/gpt-sim+tps=20+tokens=400');
    create(ws, 'y', 'openai/gpt-sim+tps=20+tokens=400');
    await waitUntil(() => ['x', 'y'].every((id) => messages.some((m) => m.id === id)));
    ws.terminate();
    await waitUntil(() => harness.simulator.stats.aborts.count === before + 2, 2_000);
    await waitUntil(() => harness.gateway.activeStreams() === 0);
  });

  it('answers bad messages with an error (id or null) and keeps the socket open', async () => {
    const { ws, messages } = await connect({ query: `?api_key=${key}` });
    ws.send('not json');
    ws.send(JSON.stringify({ type: 'chat.completion.create', id: 'bad', request: { model: 'openai/gpt-sim' } }));
    ws.send(JSON.stringify({ type: 'launch', id: 'what' }));
    ws.send(JSON.stringify({ type: 'cancel', id: 'nothing-running' }));
    await waitUntil(() => messages.length === 4);
    expect(messages.map((m) => [m.type, m.id])).toEqual([
      ['error', null],
      ['error', 'bad'],
      ['error', 'what'],
      ['error', 'nothing-running'],
    ]);
    expect(messages[1].error!.code).toBe('invalid_request');
    create(ws, 'ok', 'openai/gpt-sim');
    await waitUntil(() => messages.some((m) => m.id === 'ok' && m.type === 'done'));
    ws.close();
  });

  it('refuses the upgrade without a valid key (401)', async () => {
    for (const options of [{}, { headers: { authorization: 'Bearer wrong' } }, { protocols: ['bearer.wrong'] }]) {
      const ws = new WebSocket(`${harness.url.replace('http', 'ws')}/v1/ws`, options.protocols, {
        headers: (options as { headers?: Record<string, string> }).headers,
      });
      const [, response] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number }];
      expect(response.statusCode).toBe(401);
      // Terminating a socket still connecting emits an `error` (the handshake aborted): expected here.
      ws.on('error', () => {});
      ws.terminate();
    }
    await sleep(10);
  });

  it('pauses a socket’s streams while its client does not read (bounded server memory)', async () => {
    const { ws } = await connect({ headers: { authorization: `Bearer ${key}` } });
    // Stop reading: the TCP window fills, then the gateway's socket buffer passes its bound and the streams pause.
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let i = 0; i < 4; i++) create(ws, `flood-${i}`, 'openai/gpt-sim+tokens=1000000');
    // The simulator's count stops growing once the gateway stops reading the upstreams (their buffers filled too).
    let previous = -1;
    let steady = 0;
    for (let i = 0; i < 80 && steady < 3; i++) {
      await sleep(250);
      const written = harness.simulator.stats.tokensWritten;
      steady = written === previous ? steady + 1 : 0;
      previous = written;
    }
    expect(steady).toBe(3);
    expect(previous).toBeLessThan(4 * 1_000_000);
    ws.terminate();
    await waitUntil(() => harness.gateway.activeStreams() === 0, 3_000);
  }, 30_000);
});
