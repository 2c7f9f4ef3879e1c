import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isChromiumInstalled, launchChromium } from '../support/chromium.js';
import { type Harness, startHarness } from './sessions-harness.js';

/**
 * `/v1/ws` from a real browser: a small page, served here, opens one WebSocket to the gateway (the key as a
 * `bearer.<key>` subprotocol, as a browser must pass it) and streams two answers at once over it.
 */

const key = 'sk-browser-key';

const page = (gateway: string) => `<!doctype html><html><body><script type="module">
const ws = new WebSocket('${gateway.replace('http', 'ws')}/v1/ws', ['circuit-breaker.v1', 'bearer.${key}']);
const texts = { one: '', two: '' };
const order = [];
const done = new Set();
window.result = new Promise((resolve, reject) => {
  ws.onerror = () => reject(new Error('socket error'));
  ws.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === 'chunk') {
      texts[message.id] += message.chunk.choices[0]?.delta.content ?? '';
      order.push(message.id);
    } else if (message.type === 'done') {
      done.add(message.id);
      if (done.size === 2) resolve({ texts, order, protocol: ws.protocol });
    } else reject(new Error(JSON.stringify(message)));
  };
});
ws.onopen = () => {
  for (const [id, model] of [['one', 'openai/gpt-sim+tps=100+tokens=40'], ['two', 'anthropic/claude-sim+tps=100+tokens=40']]) {
    ws.send(JSON.stringify({ type: 'chat.completion.create', id, request: { model, messages: [{ role: 'user', content: 'Question ' + id }] } }));
  }
};
</script></body></html>`;

describe.skipIf(!isChromiumInstalled())('/v1/ws in headless Chromium', () => {
  let harness: Harness;
  let pageServer: Server;
  let browser: Browser;

  beforeAll(async () => {
    harness = await startHarness({ gateway: { apiKeys: [key] } });
    pageServer = createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page(harness.url)));
    pageServer.listen(0, '127.0.0.1');
    await once(pageServer, 'listening');
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    pageServer?.closeAllConnections();
    await new Promise((resolve) => pageServer?.close(resolve));
    await harness?.close();
  });

  it('streams two answers at once over one socket, interleaved', async () => {
    const tab = await browser.newPage();
    await tab.goto(`http://127.0.0.1:${(pageServer.address() as AddressInfo).port}/`);
    const result = (await tab.evaluate('window.result')) as {
      texts: { one: string; two: string };
      order: string[];
      protocol: string;
    };
    expect(result.protocol).toBe('circuit-breaker.v1');
    expect(result.texts.one.length).toBeGreaterThan(20);
    expect(result.texts.two.length).toBeGreaterThan(20);
    // Interleaved: the second answer's chunks arrive while the first is still streaming.
    expect(result.order.indexOf('two')).toBeLessThan(result.order.lastIndexOf('one'));
    expect(result.order.indexOf('one')).toBeLessThan(result.order.lastIndexOf('two'));
    await tab.close();
  });
});
