import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { allWritePatterns, type ReplayServer, startReplayServer } from '../../../../test/support/replay-server.js';
import { ConfigError } from '../../errors/request-errors.js';
import type { StreamPart } from '../../types/stream-part.js';
import { createOpenAIStreamParser } from '../openai/parse-stream.js';
import { createHttpProvider } from '../shared/create-http-provider.js';
import { openaiCompatibleAdapter } from './openai-compatible-adapter.js';

function fixture(name: string): string {
  return readFileSync(new URL(`../openai/fixtures/${name}`, import.meta.url), 'utf8');
}

let server: ReplayServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('openaiCompatibleAdapter', () => {
  it('reuses the OpenAI pieces and reads no environment', () => {
    expect(openaiCompatibleAdapter.type).toBe('openai-compatible');
    expect(openaiCompatibleAdapter.defaultBaseUrl).toBe('');
    expect(openaiCompatibleAdapter.environment).toBeUndefined();
    expect(openaiCompatibleAdapter.createStreamParser).toBe(createOpenAIStreamParser);
  });

  it('refuses to run without a base URL, with a config error that says so', async () => {
    const provider = createHttpProvider(openaiCompatibleAdapter, { name: 'local', type: 'openai-compatible' });
    const error = await provider
      .stream({ model: 'llama3', request: { model: 'llama3', messages: [{ role: 'user', content: 'Hi' }] } })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain("'local'");
    expect((error as ConfigError).message).toContain('baseUrl');
  });

  it('streams reasoning from a keyless local server, model names untouched, max_tokens kept', async () => {
    for (const writes of allWritePatterns) {
      server = await startReplayServer({ body: fixture('deepseek-reasoning-content.sse'), writes });
      const provider = createHttpProvider(openaiCompatibleAdapter, {
        name: 'local',
        type: 'openai-compatible',
        baseUrl: `${server.url}/v1/`,
      });
      const stream = await provider.stream({
        model: 'o3-distill',
        request: {
          model: 'local/o3-distill',
          messages: [{ role: 'user', content: 'Which is greater?' }],
          max_tokens: 64,
        },
      });
      const parts: StreamPart[] = [];
      for await (const part of stream.parts) parts.push(part);
      const received = server.requests[0];
      expect(received.path).toBe('/v1/chat/completions');
      expect(received.headers.authorization).toBeUndefined();
      expect(received.body).toMatchObject({
        model: 'o3-distill',
        max_tokens: 64,
        stream: true,
        stream_options: { include_usage: true },
      });
      expect(received.body).not.toHaveProperty('max_completion_tokens');
      expect(parts.filter((part) => part.type === 'reasoning-delta').map((part) => part.text)).toEqual([
        '9.11',
        ' vs 9.8: compare tenths.',
      ]);
      expect(parts.at(-1)).toMatchObject({ type: 'usage' });
      await server.close();
      server = undefined;
    }
  });

  it('sends the key when one is configured', async () => {
    server = await startReplayServer({
      body: fixture('openai-text.json'),
      headers: { 'content-type': 'application/json' },
    });
    const provider = createHttpProvider(openaiCompatibleAdapter, {
      name: 'together',
      type: 'openai-compatible',
      baseUrl: `${server.url}/v1`,
      apiKey: 'tg-key-123',
    });
    const result = await provider.complete({
      model: 'm',
      request: { model: 'm', messages: [{ role: 'user', content: 'Hi' }] },
    });
    expect(server.requests[0].headers.authorization).toBe('Bearer tg-key-123');
    expect(result.finishReason).toBe('stop');
  });
});
