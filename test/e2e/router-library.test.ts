import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancelledError, createRouter } from '../../src/index.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/index.js';

/**
 * The library face over real sockets: environment-only config, leaving the loop early and aborting the signal both
 * abort the upstream request, upstream connections are kept alive and reused, non-streamed completions.
 */
const messages = [{ role: 'user' as const, content: 'Tell me about circuit breakers.' }];

async function waitFor(predicate: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('createRouter as a library', () => {
  let simulator: SimulatorHandle;
  let env: Record<string, string>;

  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, ttftMs: 0, tokensPerSecond: 200, tokens: 200 });
    env = {
      OPENAI_API_KEY: 'sk-sim',
      OPENAI_BASE_URL: `${simulator.url}/v1`,
      ANTHROPIC_API_KEY: 'sk-ant-sim',
      ANTHROPIC_BASE_URL: simulator.url,
      GEMINI_API_KEY: 'AIza-sim',
      GOOGLE_BASE_URL: simulator.url,
    };
  });
  afterAll(() => simulator.close());

  it('streams from every protocol with no config, only the environment', async () => {
    const router = createRouter(undefined, { env });
    for (const model of [
      'gpt-4o-mini+tokens=5+tps=0',
      'claude-sonnet-4-5+tokens=5+tps=0',
      'gemini-2.5-flash+tokens=5+tps=0',
    ]) {
      let text = '';
      const stream = router.streamChatCompletion({ model, messages, stream_options: { include_usage: true } });
      let usage: unknown;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text.split(' ').length).toBe(5);
      expect(usage).toMatchObject({ completion_tokens: 5 });
      expect(stream.servedBy?.provider).toBe(
        model.split('-')[0] === 'gpt' ? 'openai' : model.startsWith('claude') ? 'anthropic' : 'google',
      );
    }
  });

  it('aborts the upstream request when the caller leaves the loop early', async () => {
    const router = createRouter(undefined, { env });
    const abortsBefore = simulator.stats.aborts.count;
    let received = 0;
    for await (const chunk of router.streamChatCompletion({ model: 'gpt-4o-mini', messages })) {
      if (chunk.choices[0]?.delta.content) received++;
      if (received === 3) break;
    }
    await waitFor(() => simulator.stats.aborts.count === abortsBefore + 1);
    expect(simulator.stats.aborts.records.at(-1)?.tokensWritten).toBeLessThan(200);
  });

  it('aborts the upstream request when the signal aborts, and ends with a CancelledError', async () => {
    const router = createRouter(undefined, { env });
    const abortsBefore = simulator.stats.aborts.count;
    const controller = new AbortController();
    let received = 0;
    const consume = async () => {
      for await (const chunk of router.streamChatCompletion(
        { model: 'claude-sonnet-4-5', messages },
        { signal: controller.signal },
      )) {
        if (chunk.choices[0]?.delta.content && ++received === 2) controller.abort();
      }
    };
    await expect(consume()).rejects.toBeInstanceOf(CancelledError);
    await waitFor(() => simulator.stats.aborts.count === abortsBefore + 1);
  });

  it('returns a chat.completion when not streaming', async () => {
    const router = createRouter(undefined, { env });
    const completion = await router.chatCompletion({ model: 'gemini-2.5-flash+tokens=7', messages });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].message.content?.split(' ').length).toBe(7);
    expect(completion.usage.completion_tokens).toBe(7);
  });
});

describe('upstream connections', () => {
  let server: Server;
  let connections = 0;
  let url: string;

  beforeAll(async () => {
    const body = [
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: 'hi' }, finish_reason: null }] })}\n\n`,
      `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
      'data: [DONE]\n\n',
    ].join('');
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'text/event-stream' }).end(body));
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('are kept alive and reused across sequential requests', async () => {
    const router = createRouter({ providers: { local: { type: 'openai-compatible', base_url: url } } }, { env: {} });
    for (let index = 0; index < 10; index++) {
      let text = '';
      for await (const chunk of router.streamChatCompletion({ model: 'local/m', messages })) {
        text += chunk.choices[0]?.delta.content ?? '';
      }
      expect(text).toBe('hi');
    }
    // One socket serves them all, or two when the next request races the release of the first.
    expect(connections).toBeLessThanOrEqual(2);
  });
});
