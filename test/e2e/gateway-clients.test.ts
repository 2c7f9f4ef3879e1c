import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/core/router/create-router.js';
import { createGateway } from '../../src/server/create-gateway.js';
import { closeServer, listenOnLoopback } from '../support/listen-server.js';
import { type RecordedRequest, type ReplayServer, startReplayServer } from '../support/replay-server.js';

/**
 * The official OpenAI and Anthropic SDKs against the gateway over real sockets; the upstream is a replay server
 * answering with recorded OpenAI bytes (streamed or not, text or tool call) chosen by the request it receives.
 */

const fixtures = new URL('../../src/core/providers/openai/fixtures/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');
const apiKey = 'gateway-key-1';

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};

function respond(request: RecordedRequest) {
  const body = request.body as { stream?: boolean; tools?: unknown[]; messages: { content: unknown }[] };
  const wantsTool = Array.isArray(body.tools) && body.tools.length > 0;
  if (JSON.stringify(body.messages).includes('long answer')) {
    const long = JSON.parse(fixture('openai-text.json'));
    long.choices[0].message.content = 'All work and no play. '.repeat(400);
    return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(long) };
  }
  if (body.stream)
    return { body: fixture(wantsTool ? 'openai-tool-call.sse' : 'openai-text.sse'), writes: { random: 3 } as const };
  return {
    headers: { 'content-type': 'application/json' },
    body: fixture(wantsTool ? 'openai-tool-call.json' : 'openai-text.json'),
  };
}

let upstream: ReplayServer;
let server: Server;
let url: string;

beforeAll(async () => {
  upstream = await startReplayServer(respond);
  const router = createRouter({
    providers: { up: { type: 'openai', base_url: `${upstream.url}/v1`, api_key: 'sk-upstream-key-000000' } },
    models: { 'test-model': { deployments: [{ provider: 'up', model: 'gpt-4.1-nano' }] } },
  });
  const gateway = createGateway({ router, apiKeys: [apiKey] });
  server = createServer(gateway.handleRequest);
  url = await listenOnLoopback(server);
});

afterAll(async () => {
  await closeServer(server);
  await upstream.close();
});

describe('OpenAI SDK → /v1/chat/completions', () => {
  const client = () => new OpenAI({ apiKey, baseURL: `${url}/v1`, maxRetries: 0 });

  it('streams text chunk by chunk with served-by headers, ids and [DONE]', async () => {
    const { data: stream, response } = await client()
      .chat.completions.create({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }], stream: true })
      .withResponse();
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-circuit-breaker-provider')).toBe('up');
    expect(response.headers.get('x-circuit-breaker-model')).toBe('gpt-4.1-nano');
    expect(response.headers.get('x-circuit-breaker-deployment')).toBe('up/gpt-4.1-nano');
    expect(response.headers.get('x-circuit-breaker-attempts')).toBe('1');
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(response.headers.get('content-encoding')).toBeNull();
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text.length).toBeGreaterThan(10);
    expect(finish).toBe('stop');
  });

  it('streams a tool call', async () => {
    const stream = await client().chat.completions.create({
      model: 'test-model',
      messages: [{ role: 'user', content: 'weather in Shanghai?' }],
      tools: [weatherTool],
      stream: true,
    });
    let name = '';
    let args = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      const call = chunk.choices[0]?.delta.tool_calls?.[0];
      name += call?.function?.name ?? '';
      args += call?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ location: 'Shanghai' });
    expect(finish).toBe('tool_calls');
  });

  it('answers non-streamed, with a tool call, and served-by headers', async () => {
    const { data, response } = await client()
      .chat.completions.create({
        model: 'test-model',
        messages: [{ role: 'user', content: 'weather in Shanghai?' }],
        tools: [weatherTool],
      })
      .withResponse();
    expect(response.headers.get('x-circuit-breaker-deployment')).toBe('up/gpt-4.1-nano');
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0].finish_reason).toBe('tool_calls');
    const call = data.choices[0].message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
  });

  it('frames SSE as id + data per chunk, ending with [DONE]', async () => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'accept-encoding': 'gzip, br' },
      body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }], stream: true }),
    });
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const text = await response.text();
    const frames = text.split('\n\n').filter(Boolean);
    frames.slice(0, -1).forEach((frame, index) => {
      expect(frame.startsWith(`id: ${index}\ndata: {`)).toBe(true);
    });
    // Session-backed streams may number the closing frame too (for resumption); the data is what clients read.
    expect(frames.at(-1)).toMatch(/^(id: \d+\n)?data: \[DONE\]$/);
  });

  it('compresses a large non-streamed JSON answer when the client accepts gzip', async () => {
    const body = JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'a long answer please' }] });
    const { headers, bytes } = await new Promise<{ headers: IncomingHttpHeaders; bytes: Buffer }>((resolve, reject) => {
      const request = httpRequest(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', 'accept-encoding': 'gzip' },
      });
      request.on('response', async (response) => {
        const chunks: Buffer[] = [];
        for await (const chunk of response) chunks.push(chunk as Buffer);
        resolve({ headers: response.headers, bytes: Buffer.concat(chunks) });
      });
      request.on('error', reject);
      request.end(body);
    });
    expect(headers['content-encoding']).toBe('gzip');
    expect(headers.vary).toBe('accept-encoding');
    expect(Number(headers['content-length'])).toBe(bytes.length);
    const completion = JSON.parse(gunzipSync(bytes).toString('utf8'));
    expect(completion.choices[0].message.content).toContain('All work and no play.');
    expect(bytes.length).toBeLessThan(completion.choices[0].message.content.length / 4);
  });

  it('lists the configured models and answers /health without a key', async () => {
    const models = await client().models.list();
    expect(models.data.map((model) => model.id)).toContain('test-model');
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
  });
});

describe('Anthropic SDK → /v1/messages', () => {
  const client = () => new Anthropic({ apiKey, baseURL: url, maxRetries: 0 });

  it('streams text in Anthropic events (message_start, ping, blocks, message_stop)', async () => {
    const response = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'test-model',
        max_tokens: 100,
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      }),
    });
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    const events = [...(await response.text()).matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    expect(events.slice(0, 3)).toEqual(['message_start', 'ping', 'content_block_start']);
    expect(events.slice(-2)).toEqual(['message_delta', 'message_stop']);

    const stream = client().messages.stream({
      model: 'test-model',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const message = await stream.finalMessage();
    expect(message.content[0].type).toBe('text');
    expect(message.stop_reason).toBe('end_turn');
  });

  it('streams tool use', async () => {
    const stream = client().messages.stream({
      model: 'test-model',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'weather in Shanghai?' }],
      tools: [{ name: 'get_weather', input_schema: weatherTool.function.parameters as Anthropic.Tool.InputSchema }],
    });
    const message = await stream.finalMessage();
    const toolUse = message.content.find((block) => block.type === 'tool_use');
    expect(toolUse?.type === 'tool_use' && toolUse.name).toBe('get_weather');
    expect(toolUse?.type === 'tool_use' && toolUse.input).toEqual({ location: 'Shanghai' });
    expect(message.stop_reason).toBe('tool_use');
  });

  it('answers non-streamed with tool use', async () => {
    const message = await client().messages.create({
      model: 'test-model',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'weather in Shanghai?' }],
      tools: [{ name: 'get_weather', input_schema: weatherTool.function.parameters as Anthropic.Tool.InputSchema }],
    });
    expect(message.type).toBe('message');
    expect(message.id).toMatch(/^msg_/);
    const toolUse = message.content.find((block) => block.type === 'tool_use');
    expect(toolUse?.type === 'tool_use' && toolUse.input).toEqual({ location: 'Shanghai' });
  });
});
