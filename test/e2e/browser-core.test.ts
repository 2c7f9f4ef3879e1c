import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';

/**
 * The core runs in a browser unchanged: bundle src/core for the browser platform (a `node:` import would fail the
 * build), load it in headless Chromium, and stream from a local OpenAI-compatible server token by token.
 */
const words = ['Circuits', ' hum', ' softly', ' — ', 'héllo', ' 🌍', '.'];

function sseBody(): string[] {
  const chunk = (delta: object, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  return [
    chunk({ role: 'assistant', content: '' }),
    ...words.map((word) => chunk({ content: word })),
    chunk({}, 'stop'),
    `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [], usage: { prompt_tokens: 4, completion_tokens: 7, total_tokens: 11 } })}\n\n`,
    'data: [DONE]\n\n',
  ];
}

const page = `<!doctype html><html><body><pre id="out"></pre><script type="module">
import { createRouter } from '/core.js';
const router = createRouter({ providers: { local: { type: 'openai-compatible', base_url: location.origin + '/v1' } } }, { env: {} });
const chunks = [];
let text = '';
for await (const chunk of router.streamChatCompletion({ model: 'local/test-model', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] })) {
  chunks.push(chunk);
  text += chunk.choices[0]?.delta.content ?? '';
  document.getElementById('out').textContent = text;
}
window.result = { text, chunkCount: chunks.length, usage: chunks.at(-1).usage, objects: [...new Set(chunks.map((c) => c.object))] };
</script></body></html>`;

describe('the core in headless Chromium', () => {
  let server: Server;
  let browser: Browser;
  let origin: string;
  let bundle: string;

  beforeAll(async () => {
    const result = await build({
      entryPoints: [fileURLToPath(new URL('../../src/core/index.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
    });
    bundle = result.outputFiles[0].text;
    server = createServer(async (req, res) => {
      if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      if (req.url === '/core.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
      if (req.method === 'POST' && req.url === '/v1/chat/completions') {
        for await (const _ of req) {
          // drain the request body
        }
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        // Each event in its own write, cut in two mid-event, so the browser's reads split events.
        for (const event of sseBody()) {
          const cut = Math.floor(event.length / 2);
          res.write(event.slice(0, cut));
          await new Promise((resolve) => setTimeout(resolve, 2));
          res.write(event.slice(cut));
        }
        return res.end();
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  it('bundles without Node built-ins and streams chunks in the page', async () => {
    expect(bundle).not.toMatch(/from\s*["']node:/);
    const tab = await browser.newPage();
    await tab.goto(origin);
    await tab.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, undefined, {
      timeout: 15_000,
    });
    const result = await tab.evaluate(() => (window as unknown as { result: Record<string, unknown> }).result);
    expect(result.text).toBe(words.join(''));
    expect(result.objects).toEqual(['chat.completion.chunk']);
    expect(result.usage).toEqual({ prompt_tokens: 4, completion_tokens: 7, total_tokens: 11 });
    expect(await tab.textContent('#out')).toBe(words.join(''));
  });
});
