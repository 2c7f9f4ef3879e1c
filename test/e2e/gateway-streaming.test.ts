import { once } from 'node:events';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/core/router/create-router.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/server/create-gateway.js';
import { closeServer, listenOnLoopback } from '../support/listen-server.js';

/**
 * The stream's life over real sockets: a client that disconnects (the upstream must see the abort at once), a
 * client that stops reading (the gateway must stop reading the upstream instead of buffering), a slow first token
 * (headers go out at the deadline, then keep-alives) and a shutdown (`abortAll`). The upstream is a small paced
 * OpenAI-protocol server written here, whose behaviour the model name picks: `slow`, `flood`, `late`.
 */

interface FakeUpstream {
  url: string;
  /** `performance.now()` of each upstream response close, by model. */
  closes: Map<string, number>;
  flood: { written: number; finished: boolean };
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function chunkFrame(model: string, content: string, finish: string | null = null): string {
  const chunk = {
    id: 'chatcmpl-up',
    object: 'chat.completion.chunk',
    created: 1,
    model,
    choices: [{ index: 0, delta: { content }, finish_reason: finish }],
  };
  return `data: ${JSON.stringify(chunk)}\n\n`;
}

function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

async function startFakeUpstream(): Promise<FakeUpstream> {
  const closes = new Map<string, number>();
  const flood = { written: 0, finished: false };
  const server = createServer(async (req, res) => {
    let text = '';
    for await (const piece of req) text += piece;
    const model = (JSON.parse(text) as { model: string }).model;
    res.socket?.setNoDelay(true);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
    res.on('close', () => closes.set(model, performance.now()));
    if (model === 'slow') {
      while (!res.destroyed) {
        res.write(chunkFrame(model, 'tick '));
        await sleep(10);
      }
    } else if (model === 'flood') {
      const frame = chunkFrame(model, 'x'.repeat(1024));
      while (!res.destroyed && flood.written < 400 * 1024 * 1024) {
        flood.written += frame.length;
        if (!res.write(frame)) await drainOrClose(res);
      }
      flood.finished = !res.destroyed;
      res.end();
    } else if (model === 'late') {
      await sleep(1200);
      for (const word of ['late ', 'but ', 'here']) res.write(chunkFrame(model, word));
      res.end(`${chunkFrame(model, '', 'stop')}data: [DONE]\n\n`);
    }
  });
  return { url: await listenOnLoopback(server), closes, flood, close: () => closeServer(server) };
}

let upstream: FakeUpstream;
const servers: Server[] = [];

async function startGateway(options: Partial<GatewayOptions> = {}): Promise<{ url: string; gateway: Gateway }> {
  const router = createRouter({
    providers: { up: { type: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream-000000' } },
    retry: { attempts: 0 },
  });
  const gateway = createGateway({ router, ...options });
  const server = createServer(gateway.handleRequest);
  servers.push(server);
  return { url: await listenOnLoopback(server), gateway };
}

/** A raw streaming request, so the test controls reading, pausing and disconnecting. */
function openStream(url: string, path: string, body: object) {
  const request = httpRequest(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' } });
  request.end(JSON.stringify(body));
  const response = once(request, 'response').then(([response]) => response as IncomingMessage);
  return { request, response };
}

beforeAll(async () => {
  upstream = await startFakeUpstream();
});

afterEach(() => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

afterAll(() => upstream.close());

describe.each(['/v1/chat/completions', '/v1/messages'])('client disconnect on %s', (path) => {
  it('aborts the upstream request at once', async () => {
    const { url, gateway } = await startGateway();
    upstream.closes.delete('slow');
    const { request, response } = openStream(url, path, {
      model: 'up/slow',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'go' }],
      stream: true,
    });
    const res = await response;
    expect(res.statusCode).toBe(200);
    let received = '';
    for await (const piece of res) {
      received += piece;
      if ((received.match(/tick/g) ?? []).length >= 3) break;
    }
    expect(gateway.activeStreams()).toBe(1);
    const disconnectedAt = performance.now();
    request.destroy();
    for (let waited = 0; !upstream.closes.has('slow') && waited < 2000; waited += 5) await sleep(5);
    const abortMs = upstream.closes.get('slow')! - disconnectedAt;
    // Target 100 ms; the bound is generous for loaded CI machines.
    if (process.env.GATEWAY_TEST_VERBOSE) console.info(`upstream abort ${abortMs.toFixed(1)} ms after disconnect`);
    expect(abortMs).toBeLessThan(1000);
    for (let waited = 0; gateway.activeStreams() > 0 && waited < 1000; waited += 5) await sleep(5);
    expect(gateway.activeStreams()).toBe(0);
  });
});

describe('slow client', () => {
  it('stops reading the upstream while the client does not read, and resumes after', async () => {
    const { url } = await startGateway();
    upstream.flood.written = 0;
    upstream.flood.finished = false;
    const { request, response } = openStream(url, '/v1/chat/completions', {
      model: 'up/flood',
      messages: [{ role: 'user', content: 'go' }],
      stream: true,
    });
    const res = await response;
    res.pause();
    // Wait until the upstream is stuck: no progress over 500 ms.
    let previous = -1;
    for (let waited = 0; waited < 10_000 && upstream.flood.written !== previous; waited += 500) {
      previous = upstream.flood.written;
      await sleep(500);
    }
    const stalledAt = upstream.flood.written;
    if (process.env.GATEWAY_TEST_VERBOSE) console.info(`upstream stalled after ${stalledAt} bytes`);
    expect(upstream.flood.finished).toBe(false);
    // Socket buffers on both hops plus one chunk at each stage; far below the 400 MB the upstream would send.
    expect(stalledAt).toBeLessThan(64 * 1024 * 1024);
    res.resume();
    for (let waited = 0; upstream.flood.written <= stalledAt + 1024 * 1024 && waited < 5000; waited += 20)
      await sleep(20);
    expect(upstream.flood.written).toBeGreaterThan(stalledAt + 1024 * 1024);
    request.destroy();
  });
});

describe('header holding', () => {
  it('sends headers at the deadline without served-by headers, then keep-alives until content', async () => {
    const { url } = await startGateway({ headerDeadlineMs: 100, keepAliveIntervalMs: 50 });
    const startedAt = performance.now();
    const { response } = openStream(url, '/v1/chat/completions', {
      model: 'up/late',
      messages: [{ role: 'user', content: 'go' }],
      stream: true,
    });
    const res = await response;
    const headersAfterMs = performance.now() - startedAt;
    // Generous: the first content comes at 1200 ms, the deadline is 100 ms.
    expect(headersAfterMs).toBeLessThan(1000);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-circuit-breaker-provider']).toBeUndefined();
    let body = '';
    for await (const piece of res) body += piece;
    const firstData = body.indexOf('data: ');
    expect(body.slice(0, firstData)).toContain(': keep-alive\n\n');
    expect(body).toContain('"content":"late "');
    expect(body.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('holds headers until the first content when it comes before the deadline', async () => {
    const { url } = await startGateway({ headerDeadlineMs: 5000 });
    const { response } = openStream(url, '/v1/chat/completions', {
      model: 'up/late',
      messages: [{ role: 'user', content: 'go' }],
      stream: true,
    });
    const res = await response;
    expect(res.headers['x-circuit-breaker-provider']).toBe('up');
    expect(res.headers['x-circuit-breaker-deployment']).toBe('up/late');
    let body = '';
    for await (const piece of res) body += piece;
    expect(body).not.toContain('keep-alive');
  });
});

describe('abortAll', () => {
  it('ends a running stream with an error event and aborts its upstream', async () => {
    const { url, gateway } = await startGateway();
    upstream.closes.delete('slow');
    const { response } = openStream(url, '/v1/chat/completions', {
      model: 'up/slow',
      messages: [{ role: 'user', content: 'go' }],
      stream: true,
    });
    const res = await response;
    let body = '';
    for await (const piece of res) {
      body += piece;
      if (body.includes('tick') && gateway.activeStreams() === 1) gateway.abortAll();
    }
    expect(body.trim().split('\n').at(-1)).toMatch(/^data: \{"error":\{"message":"The gateway is shutting down/);
    expect(body).not.toContain('[DONE]');
    for (let waited = 0; !upstream.closes.has('slow') && waited < 1000; waited += 5) await sleep(5);
    expect(upstream.closes.has('slow')).toBe(true);
    expect(gateway.activeStreams()).toBe(0);
  });

  it('answers a request still waiting for its first token with a clean 503', async () => {
    const { url, gateway } = await startGateway();
    const pending = fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'up/late', messages: [{ role: 'user', content: 'go' }], stream: true }),
    });
    for (let waited = 0; gateway.activeStreams() === 0 && waited < 1000; waited += 5) await sleep(5);
    gateway.abortAll();
    const response = await pending;
    expect(response.status).toBe(503);
    expect((await response.json()).error.code).toBe('cancelled');
  });
});
