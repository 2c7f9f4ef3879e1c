import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createRenderContextFactory } from './create-render-context.js';
import { createFaultSelector, type FaultRule } from './fault-rules.js';
import { type GenerationEnvironment, handleGeneration, sendReply } from './handle-generation.js';
import { createPacingScheduler } from './pacing-scheduler.js';
import { SimulatorOptionError } from './parse-request-options.js';
import { anthropicProtocol } from './protocols/anthropic-protocol.js';
import { googleProtocol } from './protocols/google-protocol.js';
import { openAIProtocol } from './protocols/openai-protocol.js';
import { jsonReply, type ProtocolHandler, type RouteInfo } from './protocols/protocol.js';
import { createSimulatorStats, resetSimulatorStats, type SimulatorStats } from './simulator-stats.js';

/** How the simulator listens and what it answers by default (each overridable per request). */
export interface SimulatorOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0: a random free port. */
  port?: number;
  /** Milliseconds before the first token. Default 0. */
  ttftMs?: number;
  /** Token pacing; 0 (default) = as fast as the socket takes them. */
  tokensPerSecond?: number;
  /** Answer length in tokens. Default 20. */
  tokens?: number;
  /** When set, the key must match exactly; otherwise any non-empty key is accepted. */
  apiKey?: string;
  /** Precompute token-frame bytes (constant ids) so the simulator is never a benchmark's bottleneck. */
  lean?: boolean;
}

/** A running simulator. */
export interface SimulatorHandle {
  /** `http://host:port`, no trailing slash. */
  url: string;
  port: number;
  /** Live counters, mutated in place. */
  stats: SimulatorStats;
  /** Sets (or with undefined clears) the runtime fault rule; throws on an invalid rule. */
  setFault(rule: FaultRule | undefined): void;
  /** Zeroes the stats in place. */
  resetStats(): void;
  /** Stops listening and cuts every open connection. */
  close(): Promise<void>;
}

/** Bodies above this are answered 413, as Anthropic's 32 MB limit. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;

const GOOGLE_ROUTE = /^\/(?:v1beta|v1)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/;

/** The protocol and route for a generation request, or undefined. */
function matchGenerationRoute(
  method: string,
  pathname: string,
): { handler: ProtocolHandler; route: RouteInfo } | undefined {
  if (method !== 'POST') return undefined;
  if (pathname === '/v1/chat/completions') return { handler: openAIProtocol, route: {} };
  if (pathname === '/v1/messages') return { handler: anthropicProtocol, route: {} };
  const google = GOOGLE_ROUTE.exec(pathname);
  if (google) {
    return {
      handler: googleProtocol,
      route: { pathModel: decodeURIComponent(google[1]!), pathStream: google[2] === 'streamGenerateContent' },
    };
  }
  return undefined;
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Starts the provider simulator: one HTTP server speaking OpenAI Chat Completions, Anthropic Messages and the Gemini
 * API, with deterministic answers, per-request pacing and faults, runtime fault control and stats.
 * @see docs/simulator.md
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const stats = createSimulatorStats();
  const faults = createFaultSelector();
  const scheduler = createPacingScheduler();
  const environment: GenerationEnvironment = {
    apiKey: options.apiKey,
    ttftMs: options.ttftMs ?? 0,
    tokensPerSecond: options.tokensPerSecond ?? 0,
    tokens: options.tokens ?? 20,
    scheduler,
    stats,
    faults,
    createRenderContext: createRenderContextFactory({ lean: options.lean === true }),
  };

  const handleControl = (method: string, pathname: string, body: unknown, response: ServerResponse): boolean => {
    const route = `${method} ${pathname}`;
    if (route === 'GET /_simulator/stats')
      sendReply(response, jsonReply(200, { ...stats, fault: faults.rule ?? null }));
    else if (route === 'POST /_simulator/reset') {
      resetSimulatorStats(stats);
      sendReply(response, jsonReply(200, { ok: true }));
    } else if (route === 'GET /_simulator/fault') sendReply(response, jsonReply(200, { fault: faults.rule ?? null }));
    else if (route === 'POST /_simulator/fault') {
      const isEmpty =
        body === undefined || (typeof body === 'object' && body !== null && Object.keys(body).length === 0);
      try {
        faults.set(isEmpty ? undefined : (body as FaultRule));
        sendReply(response, jsonReply(200, { fault: faults.rule ?? null }));
      } catch (error) {
        if (!(error instanceof SimulatorOptionError)) throw error;
        sendReply(response, jsonReply(400, { error: { message: error.message } }));
      }
    } else if (route === 'GET /_simulator/health') sendReply(response, jsonReply(200, { status: 'ok' }));
    else return false;
    return true;
  };

  const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, async (request, response) => {
    const receivedAt = performance.now();
    request.socket.setNoDelay(true);
    const url = new URL(request.url ?? '/', 'http://simulator.local');
    const method = request.method ?? 'GET';
    try {
      const generation = matchGenerationRoute(method, url.pathname);
      const body = method === 'POST' ? await readBody(request) : Buffer.alloc(0);
      if (body === undefined) {
        const handler = generation?.handler ?? openAIProtocol;
        return sendReply(
          response,
          handler.renderError(413, { message: 'Request exceeds the maximum allowed number of bytes.' }),
        );
      }
      const json = body.length > 0 ? parseJson(body) : undefined;
      if (generation) {
        return handleGeneration(
          environment,
          { request, response, url, body: json, receivedAt },
          generation.handler,
          generation.route,
        );
      }
      if (url.pathname.startsWith('/_simulator/') && handleControl(method, url.pathname, json, response)) return;
      if (method === 'GET' && url.pathname === '/v1/models') {
        const failure = openAIProtocol.authenticate(request.headers, url, options.apiKey);
        return sendReply(response, failure ?? listModels());
      }
      sendReply(response, notFound(method, url.pathname));
    } catch (error) {
      if (!response.headersSent) {
        sendReply(response, openAIProtocol.renderError(500, { message: `Simulator error: ${String(error)}` }));
      } else response.destroy();
    }
  });

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    stats,
    setFault: (rule) => faults.set(rule),
    resetStats: () => resetSimulatorStats(stats),
    close: () =>
      new Promise<void>((resolve) => {
        scheduler.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `GET /v1/models` in OpenAI's list format. */
function listModels() {
  const created = Math.floor(Date.now() / 1000);
  return jsonReply(200, {
    object: 'list',
    data: ['sim-model', 'sim-model-fast', 'sim-model-slow'].map((id) => ({
      id,
      object: 'model',
      created,
      owned_by: 'circuit-breaker-simulator',
    })),
  });
}

/** 404 in the format of the API the path belongs to. */
function notFound(method: string, pathname: string) {
  if (pathname.startsWith('/v1beta/')) {
    return googleProtocol.renderError(404, { message: `Method not found: ${method} ${pathname}` });
  }
  return openAIProtocol.renderError(404, { message: `Invalid URL (${method} ${pathname})`, code: null });
}
