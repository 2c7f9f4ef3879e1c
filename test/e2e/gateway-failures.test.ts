import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/core/router/create-router.js';
import { createGateway } from '../../src/server/create-gateway.js';
import { closeServer, listenOnLoopback } from '../support/listen-server.js';
import { type RecordedRequest, type ReplayServer, startReplayServer } from '../support/replay-server.js';

/**
 * Everything that goes wrong, over real sockets: bad input on both routes, upstream failures before the first
 * byte (a clean HTTP error with the mapped status, thanks to header holding) and after it (an error event, then
 * the end), and a provider key that an upstream echoes never reaching a response or a log line.
 */

const fixtures = new URL('../../src/core/providers/openai/fixtures/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');
const apiKey = 'gateway-key-1';
const providerKey = 'sk-secret-abcdef123456';

/** The deployment model name tells the replay server how to fail: `status-<code>`, `midstream`, or fine. */
function respond(request: RecordedRequest) {
  const model = (request.body as { model: string }).model;
  const status = /^status-(\d+)$/.exec(model);
  if (status) {
    const code = Number(status[1]);
    const body =
      code === 401
        ? {
            error: {
              message: `Incorrect API key provided: ${providerKey}.`,
              type: 'invalid_request_error',
              code: 'invalid_api_key',
            },
          }
        : { error: { message: `upstream says ${code}`, type: 'server_error', param: null, code: null } };
    return {
      status: code,
      headers: { 'content-type': 'application/json', ...(code === 429 ? { 'retry-after': '7' } : {}) },
      body: JSON.stringify(body),
    };
  }
  if (model === 'midstream') return { body: fixture('openai-error-in-stream.sse') };
  if (!(request.body as { stream?: boolean }).stream) {
    return { headers: { 'content-type': 'application/json' }, body: fixture('openai-text.json') };
  }
  return { body: fixture('openai-usage.sse') };
}

let upstream: ReplayServer;
let server: Server;
let url: string;
const logLines: Record<string, unknown>[] = [];
let rawLogs = '';

beforeAll(async () => {
  upstream = await startReplayServer(respond);
  const router = createRouter({
    providers: { up: { type: 'openai', base_url: `${upstream.url}/v1`, api_key: providerKey } },
    models: { 'test-model': { deployments: [{ provider: 'up', model: 'gpt-4.1-nano' }] } },
    retry: { attempts: 0 },
  });
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      rawLogs += chunk.toString();
      for (const line of chunk.toString().split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      callback();
    },
  });
  const logger = pino({ level: 'info' }, destination);
  const gateway = createGateway({ router, apiKeys: [apiKey], maxBodyBytes: 64 * 1024, logger });
  server = createServer(gateway.handleRequest);
  url = await listenOnLoopback(server);
});

afterAll(async () => {
  await closeServer(server);
  await upstream.close();
});

type Route = '/v1/chat/completions' | '/v1/messages';

function post(
  path: string,
  body: string | object,
  headers: Record<string, string> = { authorization: `Bearer ${apiKey}` },
) {
  return fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const validBody = { model: 'test-model', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] };

/** Reads the error type of either envelope, after checking the envelope's shape. */
async function readError(response: Response, route: Route) {
  const body = await response.json();
  if (route === '/v1/messages') {
    expect(body.type).toBe('error');
    expect(Object.keys(body.error).sort()).toEqual(['message', 'type']);
    return { type: body.error.type as string, message: body.error.message as string, param: undefined };
  }
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  return { type: body.error.type as string, message: body.error.message as string, param: body.error.param as string };
}

describe.each<Route>(['/v1/chat/completions', '/v1/messages'])('bad input on %s', (route) => {
  const anthropic = route === '/v1/messages';
  const cases: {
    name: string;
    send: () => Promise<Response>;
    status: number;
    type: string;
    anthropicType?: string;
    mentions?: string;
  }[] = [
    {
      name: 'malformed JSON',
      send: () => post(route, '{"model": "test-model",'),
      status: 400,
      type: 'invalid_request_error',
    },
    {
      name: 'missing messages',
      send: () => post(route, { model: 'test-model', max_tokens: 50 }),
      status: 400,
      type: 'invalid_request_error',
      mentions: 'messages',
    },
    {
      name: 'bad role',
      send: () => post(route, { ...validBody, messages: [{ role: 'wizard', content: 'hi' }] }),
      status: 400,
      type: 'invalid_request_error',
      mentions: 'messages.0',
    },
    {
      name: 'unknown model',
      send: () => post(route, { ...validBody, model: 'no-such-model' }),
      status: 404,
      type: 'not_found_error',
      mentions: 'no-such-model',
    },
    {
      name: 'body over the limit',
      send: () => post(route, { ...validBody, messages: [{ role: 'user', content: 'x'.repeat(100 * 1024) }] }),
      status: 413,
      type: 'invalid_request_error',
      anthropicType: 'request_too_large',
    },
    {
      name: 'wrong method',
      send: () => fetch(`${url}${route}`, { headers: { authorization: `Bearer ${apiKey}` } }),
      status: 405,
      type: 'invalid_request_error',
    },
    { name: 'no key', send: () => post(route, validBody, {}), status: 401, type: 'authentication_error' },
    {
      name: 'wrong key',
      send: () => post(route, validBody, { authorization: 'Bearer not-the-key' }),
      status: 401,
      type: 'authentication_error',
    },
    {
      name: 'wrong x-api-key',
      send: () => post(route, validBody, { 'x-api-key': 'not-the-key' }),
      status: 401,
      type: 'authentication_error',
    },
  ];

  it.each(cases)('$name → $status', async ({ send, status, type, anthropicType, mentions }) => {
    const response = await send();
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json');
    const error = await readError(response, route);
    expect(error.type).toBe(anthropic ? (anthropicType ?? type) : type);
    if (mentions) expect(`${error.param ?? ''} ${error.message}`).toContain(mentions);
    if (status === 405) expect(response.headers.get('allow')).toBe('POST');
  });

  it('accepts the right key as a bearer token and as x-api-key', async () => {
    const keyHeaders: Record<string, string>[] = [{ authorization: `Bearer ${apiKey}` }, { 'x-api-key': apiKey }];
    for (const headers of keyHeaders) {
      const response = await post(route, validBody, headers);
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
  });
});

describe('unknown paths and open routes', () => {
  it('answers 404 for an unknown path, 405 with allow for a wrong method', async () => {
    const missing = await fetch(`${url}/v1/nope`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.type).toBe('not_found_error');
    const wrong = await fetch(`${url}/health`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('requires a key on /v1/models but not on /health', async () => {
    expect((await fetch(`${url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });
});

describe.each<Route>(['/v1/chat/completions', '/v1/messages'])('request id headers on %s', (route) => {
  // A completion writes them with its other headers in one writeHead (no setHeader up front): every kind of answer
  // must still carry them.
  const idOf = (response: Response) => ({
    id: response.headers.get('x-request-id'),
    anthropic: response.headers.get('request-id'),
  });
  const expected = (id: string) => ({ id, anthropic: route === '/v1/messages' ? id : null });

  it('are on a stream, a whole answer, an upstream error, a refusal and a preflight, with the caller id kept', async () => {
    const answers = [
      await post(
        route,
        { ...validBody, stream: true },
        { authorization: `Bearer ${apiKey}`, 'x-request-id': 'mine.1' },
      ),
      await post(route, validBody, { authorization: `Bearer ${apiKey}`, 'x-request-id': 'mine.1' }),
      await post(
        route,
        { ...validBody, model: 'up/status-400', stream: true },
        { authorization: `Bearer ${apiKey}`, 'x-request-id': 'mine.1' },
      ),
      await post(route, validBody, { 'x-request-id': 'mine.1' }),
      await fetch(`${url}${route}`, { method: 'OPTIONS', headers: { 'x-request-id': 'mine.1' } }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 400, 401, 204]);
    for (const answer of answers) {
      await answer.text();
      expect(idOf(answer)).toEqual(expected('mine.1'));
    }
    const generated = await post(route, { ...validBody, stream: true });
    await generated.text();
    expect(generated.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
  });
});

describe.each([true, false])('upstream failure before the first byte (stream: %s)', (stream) => {
  it.each([
    { upstreamStatus: 429, status: 429, type: 'rate_limit_error', anthropicType: 'rate_limit_error' },
    { upstreamStatus: 500, status: 502, type: 'server_error', anthropicType: 'api_error' },
    { upstreamStatus: 503, status: 503, type: 'server_error', anthropicType: 'overloaded_error' },
    { upstreamStatus: 504, status: 504, type: 'server_error', anthropicType: 'timeout_error' },
  ])(
    'upstream $upstreamStatus → a clean HTTP $status on both routes',
    async ({ upstreamStatus, status, type, anthropicType }) => {
      for (const route of ['/v1/chat/completions', '/v1/messages'] as const) {
        const response = await post(route, { ...validBody, model: `up/status-${upstreamStatus}`, stream });
        // Header holding: a stream that fails before content is an HTTP error, not a 200 with an error event.
        expect(response.status).toBe(status);
        expect(response.headers.get('content-type')).toBe('application/json');
        if (upstreamStatus === 429) expect(response.headers.get('retry-after')).toBe('7');
        const error = await readError(response, route);
        expect(error.type).toBe(route === '/v1/messages' ? anthropicType : type);
      }
    },
  );
});

describe('upstream failure after streaming began', () => {
  it('OpenAI route: content, then an error event, then the end (no [DONE])', async () => {
    const response = await post('/v1/chat/completions', { ...validBody, model: 'up/midstream', stream: true });
    expect(response.status).toBe(200);
    const frames = (await response.text()).split('\n\n').filter(Boolean);
    expect(frames[0]).toMatch(/^id: 0\ndata: \{/);
    const last = frames.at(-1)!.replace(/^id: \d+\n/, '');
    expect(last.startsWith('data: {"error":')).toBe(true);
    const error = JSON.parse(last.slice('data: '.length)).error;
    expect(Object.keys(error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(error.type).toBe('server_error');
    expect(frames.some((frame) => frame.endsWith('data: [DONE]'))).toBe(false);
  });

  it('Anthropic route: message_start … then event: error, nothing after', async () => {
    const response = await post('/v1/messages', { ...validBody, model: 'up/midstream', stream: true });
    expect(response.status).toBe(200);
    const text = await response.text();
    const events = [...text.matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    expect(events[0]).toBe('message_start');
    expect(events.at(-1)).toBe('error');
    expect(events).not.toContain('message_stop');
    const data = JSON.parse(text.trim().split('\n').at(-1)!.slice('data: '.length));
    expect(data.type).toBe('error');
    expect(data.error.type).toBe('api_error');
  });
});

describe('secrets', () => {
  it('never puts a provider key an upstream echoes into a response or a log line', async () => {
    for (const route of ['/v1/chat/completions', '/v1/messages'] as const) {
      for (const stream of [true, false]) {
        const response = await post(route, { ...validBody, model: 'up/status-401', stream });
        expect(response.status).toBe(502);
        const text = await response.text();
        expect(text).toContain('Incorrect API key provided');
        expect(text).not.toContain(providerKey);
        expect(text).not.toContain('abcdef123456');
      }
    }
    expect(rawLogs).toContain('Incorrect API key provided');
    expect(rawLogs).not.toContain(providerKey);
    expect(rawLogs).not.toContain(apiKey);
  });

  it('logs one line per request with routing, timing and tokens, and no content', async () => {
    const response = await post('/v1/chat/completions', {
      ...validBody,
      messages: [{ role: 'user', content: 'a very private prompt' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const requestId = response.headers.get('x-request-id');
    await response.text();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const lines = logLines.filter((line) => line.requestId === requestId);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      route: '/v1/chat/completions',
      status: 200,
      model: 'test-model',
      provider: 'up',
      deployment: 'up/gpt-4.1-nano',
      outcome: 'success',
      stream: true,
    });
    expect(lines[0].identity).toMatch(/^key_[0-9a-f]{12}$/);
    expect(lines[0].ttftMs).toBeTypeOf('number');
    expect(lines[0].durationMs).toBeTypeOf('number');
    expect(lines[0].completionTokens).toBeTypeOf('number');
    expect(rawLogs).not.toContain('a very private prompt');
  });
});
