import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRouter } from '../../src/core/router/create-router.js';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/server/create-gateway.js';
import { type SimulatorHandle, type SimulatorOptions, startSimulator } from '../../src/simulator/start-simulator.js';

/**
 * The sessions and WebSocket tests' system: the provider simulator as the upstream (OpenAI and Anthropic protocols),
 * the gateway on a real `node:http` server with `/v1/ws` upgrades, and a small SSE client that can cut its
 * connection after any number of events.
 */
export interface Harness {
  url: string;
  simulator: SimulatorHandle;
  gateway: Gateway;
  server: Server;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    gateway?: Omit<GatewayOptions, 'router'>;
    simulator?: SimulatorOptions;
    fetch?: typeof fetch;
    /** HTML pages served at these paths on the gateway's own origin (browser tests: same-origin requests). */
    pages?: Record<string, string>;
  } = {},
): Promise<Harness> {
  const simulator = await startSimulator({ port: 0, ttftMs: 0, tokensPerSecond: 0, tokens: 20, ...options.simulator });
  const router = createRouter(
    {
      providers: {
        openai: { type: 'openai', base_url: `${simulator.url}/v1`, api_key: 'sk-sim-openai-0000' },
        anthropic: { type: 'anthropic', base_url: simulator.url, api_key: 'sk-ant-sim-0000' },
      },
      retry: { attempts: 0 },
    },
    options.fetch ? { fetch: options.fetch } : {},
  );
  const gateway = createGateway({ router, ...options.gateway });
  const pages = options.pages ?? {};
  const server = createServer((req, res) => {
    const page = Object.hasOwn(pages, req.url ?? '') ? pages[req.url ?? ''] : undefined;
    if (page === undefined) return gateway.handleRequest(req, res);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  server.on('upgrade', gateway.handleUpgrade);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    simulator,
    gateway,
    server,
    async close() {
      gateway.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await simulator.close();
    },
  };
}

/** One SSE event as received: its raw frame (without the blank line), `id`, `event` and `data`. */
export interface ReceivedEvent {
  frame: string;
  id: number | undefined;
  event: string | undefined;
  data: string;
}

export interface SseReading {
  status: number;
  headers: IncomingHttpHeaders;
  events: ReceivedEvent[];
  /** The raw body text when the response was not SSE (an error). */
  body: string;
  /** True when the client cut the connection itself (after `cutAfter` events). */
  cut: boolean;
}

/**
 * A request whose SSE response is read event by event. With `cutAfter`, the socket is destroyed as soon as that many
 * events arrived: the client keeps exactly those events, whatever else was in flight (as a phone losing its network).
 */
export function requestSse(options: {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  cutAfter?: number;
}): Promise<SseReading> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(options.url, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers: { 'content-type': 'application/json', ...options.headers },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      res.setEncoding('utf8');
      const reading: SseReading = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        body: '',
        cut: false,
      };
      let pending = '';
      res.on('data', (text: string) => {
        if (reading.cut) return;
        reading.body += text;
        pending += text;
        let end = pending.indexOf('\n\n');
        while (end !== -1) {
          const frame = pending.slice(0, end);
          pending = pending.slice(end + 2);
          end = pending.indexOf('\n\n');
          if (frame.startsWith(':')) continue;
          reading.events.push(parseFrame(frame));
          if (options.cutAfter !== undefined && reading.events.length >= options.cutAfter) {
            reading.cut = true;
            req.destroy();
            resolve(reading);
            return;
          }
        }
      });
      res.on('end', () => resolve(reading));
      res.on('error', () => resolve(reading));
      res.on('close', () => resolve(reading));
    });
    req.end(options.body === undefined ? undefined : JSON.stringify(options.body));
  });
}

function parseFrame(frame: string): ReceivedEvent {
  const event: ReceivedEvent = { frame, id: undefined, event: undefined, data: '' };
  for (const line of frame.split('\n')) {
    const colon = line.indexOf(': ');
    const field = line.slice(0, colon);
    const value = line.slice(colon + 2);
    if (field === 'id') event.id = Number(value);
    else if (field === 'event') event.event = value;
    else if (field === 'data') event.data = value;
  }
  return event;
}

/** The assistant text of OpenAI chunk events. */
export function openAIText(events: readonly ReceivedEvent[]): string {
  let text = '';
  for (const event of events) {
    if (event.event !== undefined || !event.data.startsWith('{"id"')) continue;
    text += JSON.parse(event.data).choices[0]?.delta?.content ?? '';
  }
  return text;
}

/** A JSON request (list, delete). */
export async function requestJson(
  url: string,
  options: { method?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, { method: options.method ?? 'GET', headers: options.headers });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `condition` holds (or throws after `timeoutMs`). */
export async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

export function chatBody(model: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model, stream: true, messages: [{ role: 'user', content: 'Tell me a story.' }], ...extra };
}
