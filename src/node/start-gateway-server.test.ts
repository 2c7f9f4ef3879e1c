import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { RouterConfigInput } from '../core/router/config-schema.js';
import { type RunningSimulator, startSimulatorBackend } from './simulator-config.js';
import { startGatewayServer } from './start-gateway-server.js';

let simulator: RunningSimulator;
let config: RouterConfigInput;

beforeAll(async () => {
  ({ simulator, config } = await startSimulatorBackend({ ttftMs: 0, tokensPerSecond: 0, tokens: 20 }));
});

afterAll(async () => {
  await simulator.close();
});

const quiet = { server: { log_level: 'silent' as const } };

function streamRequest(model: string) {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'Hello' }] }),
  };
}

/** Starts a slow stream and resolves once its first bytes are in, with a promise of the rest. */
async function startSlowStream(url: string, tokensPerSecond: number) {
  const response = await fetch(
    `${url}/v1/chat/completions`,
    streamRequest(`sim-openai/sim-gpt+tps=${tokensPerSecond}`),
  );
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = decoder.decode((await reader.read()).value, { stream: true });
  const rest = (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
  })();
  return { rest };
}

describe('startGatewayServer', () => {
  it('refuses a network bind without gateway keys, before listening', async () => {
    await expect(
      startGatewayServer({ config: { ...config, ...quiet }, env: {}, host: '0.0.0.0', port: 0 }),
    ).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('--allow-unauthenticated'),
    });
  });

  it('reports a wildcard bind as a loopback URL, and answers there', async () => {
    const gateway = await startGatewayServer({
      config: { ...config, ...quiet },
      env: {},
      host: '0.0.0.0',
      port: 0,
      allowUnauthenticated: true,
    });
    expect(gateway.url).toBe(`http://127.0.0.1:${gateway.port}`);
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    await gateway.close();
  });

  it('names a port already in use', async () => {
    const first = await startGatewayServer({ config: { ...config, ...quiet }, env: {}, port: 0 });
    await expect(startGatewayServer({ config: { ...config, ...quiet }, env: {}, port: first.port })).rejects.toThrow(
      /already in use/,
    );
    await first.close();
  });

  it('shutdown lets a stream in flight finish within the grace period, and refuses new connections', async () => {
    const gateway = await startGatewayServer({ config: { ...config, ...quiet }, env: {}, port: 0 });
    const { rest } = await startSlowStream(gateway.url, 40); // 20 tokens: ~0.5 s
    const stopped = gateway.shutdown(5_000);
    await expect(fetch(`${gateway.url}/health`)).rejects.toThrow();
    expect(await rest).toContain('data: [DONE]');
    await stopped;
    expect(gateway.gateway.activeStreams()).toBe(0);
    expect(gateway.server.listening).toBe(false);
  });

  it('shutdown aborts what is still streaming when the grace period is over', async () => {
    const gateway = await startGatewayServer({ config: { ...config, ...quiet }, env: {}, port: 0 });
    const { rest } = await startSlowStream(gateway.url, 1); // 20 s of stream
    const startedAt = performance.now();
    await gateway.shutdown(100);
    // Far less than the stream would take. Not tighter: the first aborted stream makes the gateway load its
    // tokenizer (to count what was delivered), which takes seconds of main thread on a loaded machine.
    expect(performance.now() - startedAt).toBeLessThan(10_000);
    const body = await rest;
    expect(body).not.toContain('"finish_reason":"stop"');
    expect(gateway.gateway.activeStreams()).toBe(0);
  });

  it('applies server.websocket: a socket runs at most max_streams_per_socket streams', async () => {
    const gateway = await startGatewayServer({
      config: { ...config, server: { ...quiet.server, websocket: { max_streams_per_socket: 1 } } },
      env: {},
      port: 0,
    });
    const ws = new WebSocket(`${gateway.url.replace('http', 'ws')}/v1/ws`);
    const messages: { type: string; id: string | null; error?: { message: string } }[] = [];
    ws.onmessage = (event) => messages.push(JSON.parse(String(event.data)));
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
    const request = { model: 'sim-openai/sim-gpt+tps=20', messages: [{ role: 'user', content: 'Hello' }] };
    for (const id of ['a', 'b']) ws.send(JSON.stringify({ type: 'chat.completion.create', id, request }));
    for (let i = 0; i < 200 && !messages.some((message) => message.id === 'b'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(messages.find((message) => message.id === 'b')).toMatchObject({
      type: 'error',
      error: { message: expect.stringContaining('At most 1 streams') },
    });
    ws.close();
    await gateway.close();
  });

  it('close is immediate and idempotent', async () => {
    const gateway = await startGatewayServer({ config: { ...config, ...quiet }, env: {}, port: 0 });
    const { rest } = await startSlowStream(gateway.url, 2);
    await Promise.all([gateway.close(), gateway.close()]);
    await rest;
    expect(gateway.server.listening).toBe(false);
  });
});
