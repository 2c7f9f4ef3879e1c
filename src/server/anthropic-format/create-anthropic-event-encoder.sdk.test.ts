import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeSseEvent } from '../../core/sse/encode-sse.js';
import type { ChatCompletionChunk } from '../../core/types/chat-chunk.js';
import { createAnthropicEventEncoder } from './create-anthropic-event-encoder.js';
import { parallelToolCallChunks, textOnlyChunks, thinkingThenTextChunks } from './fixtures/chunk-fixtures.js';

/**
 * The proof that our event sequence is what Claude clients expect: the official `@anthropic-ai/sdk` consumes the
 * encoder's SSE bytes from a real socket and assembles `finalMessage()` from them.
 */
let server: Server;
let baseURL: string;
let nextBody = '';
const requests: unknown[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (piece) => {
      body += piece;
    });
    request.on('end', () => {
      requests.push({ url: request.url, body: JSON.parse(body) });
      if (request.url !== '/v1/messages') {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      // Several writes, split mid-event, as a real stream arrives.
      const middle = Math.floor(nextBody.length / 2);
      response.write(nextBody.slice(0, middle));
      response.end(nextBody.slice(middle));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function serve(chunks: ChatCompletionChunk[], end: 'finish' | 'error' = 'finish'): void {
  const encoder = createAnthropicEventEncoder({
    messageId: 'msg_sdk',
    model: 'gemini-2.5-flash',
    inputTokensEstimate: 7,
  });
  const events = chunks.flatMap((chunk) => encoder.encodeChunk(chunk));
  events.push(
    ...(end === 'finish' ? encoder.finish() : encoder.error({ type: 'overloaded_error', message: 'Overloaded' })),
  );
  nextBody = events.map(encodeSseEvent).join('');
}

function stream() {
  const client = new Anthropic({ apiKey: 'test', baseURL, maxRetries: 0 });
  return client.messages.stream({
    model: 'gemini-2.5-flash',
    max_tokens: 1024,
    messages: [{ role: 'user', content: 'Hi' }],
  });
}

describe('encoder output consumed by the official Anthropic SDK', () => {
  it('assembles a text message', async () => {
    serve(textOnlyChunks);
    const texts: string[] = [];
    const message = await stream()
      .on('text', (text) => texts.push(text))
      .finalMessage();
    expect(texts).toStrictEqual(['Hello', ', "world"\n']);
    expect(message).toMatchObject({
      id: 'msg_sdk',
      type: 'message',
      role: 'assistant',
      model: 'gemini-2.5-flash',
      content: [{ type: 'text', text: 'Hello, "world"\n' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 12, output_tokens: 3 },
    });
    expect(requests.at(-1)).toMatchObject({ url: '/v1/messages', body: { stream: true } });
  });

  it('assembles thinking with its signature before the text', async () => {
    serve(thinkingThenTextChunks);
    const message = await stream().finalMessage();
    expect(message.content).toStrictEqual([
      { type: 'thinking', thinking: 'Let me think about it.', signature: 'EqQBCgIYAhIM' },
      { type: 'text', text: '42' },
    ]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 20, output_tokens: 9 });
  });

  it('assembles two tool calls with parsed inputs', async () => {
    serve(parallelToolCallChunks);
    const message = await stream().finalMessage();
    expect(message.content).toStrictEqual([
      { type: 'text', text: 'Checking both.' },
      { type: 'tool_use', id: 'call_a', name: 'get_weather', input: { location: 'Paris' } },
      { type: 'tool_use', id: 'call_b', name: 'get_weather', input: { location: 'Rome' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 50, output_tokens: 30 });
  });

  it('surfaces an in-stream error event as an APIError', async () => {
    serve(textOnlyChunks.slice(0, 2), 'error');
    await expect(stream().finalMessage()).rejects.toMatchObject({
      error: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
    });
  });
});
