import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/core/router/create-router.js';
import { createGateway } from '../../src/server/create-gateway.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/start-simulator.js';
import { closeServer, listenOnLoopback } from '../support/listen-server.js';

/**
 * The whole system over real sockets: official SDKs → gateway → router → providers → the provider simulator
 * speaking OpenAI, Anthropic and Gemini. Faults and pacing come from the simulator's model-name options.
 */

let simulator: SimulatorHandle;
let server: Server;
let url: string;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, ttftMs: 0, tokensPerSecond: 0, tokens: 20 });
  const router = createRouter({
    providers: {
      openai: { type: 'openai', base_url: `${simulator.url}/v1`, api_key: 'sk-sim-openai-0000' },
      anthropic: { type: 'anthropic', base_url: simulator.url, api_key: 'sk-ant-sim-0000' },
      google: { type: 'google', base_url: simulator.url, api_key: 'AIzaSimulatorKey0000' },
    },
    retry: { attempts: 0 },
  });
  server = createServer(createGateway({ router }).handleRequest);
  url = await listenOnLoopback(server);
});

afterAll(async () => {
  await closeServer(server);
  await simulator.close();
});

describe.each(['openai/gpt-sim', 'anthropic/claude-sim', 'google/gemini-sim'])('through %s', (model) => {
  it('streams and answers via the OpenAI SDK', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: `${url}/v1`, maxRetries: 0 });
    const { data: stream, response } = await client.chat.completions
      .create({ model, messages: [{ role: 'user', content: 'tell me something' }], stream: true })
      .withResponse();
    expect(response.headers.get('x-circuit-breaker-provider')).toBe(model.split('/')[0]);
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text.length).toBeGreaterThan(0);
    const completion = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'again' }] });
    expect(completion.choices[0].message.content?.length).toBeGreaterThan(0);
  });

  it('streams via the Anthropic SDK', async () => {
    const client = new Anthropic({ apiKey: 'unused', baseURL: url, maxRetries: 0 });
    const message = await client.messages
      .stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'tell me something' }] })
      .finalMessage();
    expect(message.content[0].type).toBe('text');
    expect(message.stop_reason).toBe('end_turn');
  });
});

describe('simulator faults', () => {
  it('maps an upstream 503 before the first byte to a clean 503', async () => {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'openai/gpt-sim+fault=status:503',
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
      }),
    });
    expect(response.status).toBe(503);
    expect((await response.json()).error.type).toBe('server_error');
  });

  it('a client disconnect mid-stream reaches the simulator as an abort', async () => {
    const before = simulator.stats.aborts.count;
    const request = httpRequest(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    request.end(
      JSON.stringify({
        model: 'openai/gpt-sim+tps=50+tokens=500',
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
      }),
    );
    const [response] = (await once(request, 'response')) as [IncomingMessage];
    let frames = 0;
    for await (const piece of response) {
      frames += String(piece).split('\n\n').length - 1;
      if (frames >= 3) break;
    }
    const disconnectedAt = Date.now();
    request.destroy();
    for (let waited = 0; simulator.stats.aborts.count === before && waited < 2000; waited += 5) await sleep(5);
    expect(simulator.stats.aborts.count).toBe(before + 1);
    expect(simulator.stats.aborts.records.at(-1)!.at - disconnectedAt).toBeLessThan(1000);
  });
});
