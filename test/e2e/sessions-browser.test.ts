import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isChromiumInstalled, launchChromium } from '../support/chromium.js';
import {
  chatBody,
  type Harness,
  openAIText,
  type ReceivedEvent,
  requestSse,
  startHarness,
} from './sessions-harness.js';

/**
 * Resume from a real browser: a page starts a resumable stream with `fetch`, drops it after a few events, and reads
 * the rest with `EventSource` (the key as `?api_key=`, since an EventSource cannot set headers). Same origin, and
 * from another origin through CORS (`corsOrigins`), whose preflight the POST with its custom headers needs.
 */

const key = 'sk-browser-resume';
/** 60 tokens at 200 tokens/s: the page's cut after 5 events lands mid-stream. */
const model = 'openai/gpt-sim+tps=200+tokens=60';

/** The page's script: `window.resumeInBrowser(options)` returns the events read before the cut and after it. */
const page = `<!doctype html><html><body><script>
function parseFrame(frame) {
  const event = {};
  for (const line of frame.split('\\n')) {
    const colon = line.indexOf(': ');
    event[line.slice(0, colon)] = line.slice(colon + 2);
  }
  return { id: Number(event.id), data: event.data };
}
window.resumeInBrowser = async ({ base, key, model, cutAfter }) => {
  const abort = new AbortController();
  const response = await fetch(base + '/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + key, 'x-circuit-breaker-resumable': 'true' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'Tell me a story.' }] }),
    signal: abort.signal,
  });
  const streamId = response.headers.get('x-circuit-breaker-stream-id');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const first = [];
  let buffer = '';
  while (first.length < cutAfter) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    let end = buffer.indexOf('\\n\\n');
    while (end !== -1 && first.length < cutAfter) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (!frame.startsWith(':')) first.push(parseFrame(frame));
      end = buffer.indexOf('\\n\\n');
    }
  }
  abort.abort();
  const last = first[first.length - 1].id;
  const url = base + '/v1/streams/' + streamId + '?last_event_id=' + last + '&api_key=' + encodeURIComponent(key);
  const rest = await new Promise((resolve, reject) => {
    const events = [];
    const source = new EventSource(url);
    source.onmessage = (event) => {
      events.push({ id: Number(event.lastEventId), data: event.data });
      if (event.data === '[DONE]') {
        source.close();
        resolve(events);
      }
    };
    source.onerror = () => {
      source.close();
      reject(new Error('EventSource failed (readyState ' + source.readyState + ')'));
    };
  });
  return { streamId, first, rest };
};
</script></body></html>`;

interface BrowserResume {
  streamId: string;
  first: { id: number; data: string }[];
  rest: { id: number; data: string }[];
}

const asEvents = (events: { id: number; data: string }[]): ReceivedEvent[] =>
  events.map((event) => ({ frame: '', id: event.id, event: undefined, data: event.data }));

async function listen(server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe.skipIf(!isChromiumInstalled())('resume from a browser: fetch, then EventSource', () => {
  let harness: Harness;
  let allowedServer: Server;
  let otherServer: Server;
  let allowedOrigin: string;
  let otherOrigin: string;
  let browser: Browser;
  let referenceText: string;

  beforeAll(async () => {
    const servePage = () => createServer((_, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(page));
    allowedServer = servePage();
    otherServer = servePage();
    allowedOrigin = await listen(allowedServer);
    otherOrigin = await listen(otherServer);
    harness = await startHarness({
      gateway: { apiKeys: [key], corsOrigins: [allowedOrigin] },
      pages: { '/resume.html': page },
    });
    const reference = await requestSse({
      url: `${harness.url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${key}` },
      body: chatBody(model),
    });
    referenceText = openAIText(reference.events);
    expect(referenceText.length).toBeGreaterThan(0);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    for (const server of [allowedServer, otherServer]) {
      server?.closeAllConnections();
      await new Promise((resolve) => server?.close(resolve));
    }
    await harness?.close();
  });

  async function resumeFrom(pageUrl: string, base: string): Promise<BrowserResume> {
    const tab = await browser.newPage();
    try {
      await tab.goto(pageUrl);
      return (await tab.evaluate(
        (options) => (window as unknown as { resumeInBrowser(o: unknown): Promise<unknown> }).resumeInBrowser(options),
        { base, key, model, cutAfter: 5 },
      )) as BrowserResume;
    } finally {
      await tab.close();
    }
  }

  function expectWholeAnswer(result: BrowserResume): void {
    expect(result.streamId).toMatch(/^stream_/);
    expect(result.first).toHaveLength(5);
    expect(result.rest.length).toBeGreaterThan(1);
    const joined = [...result.first, ...result.rest];
    // No event lost, none repeated, ending as the original would.
    expect(joined.map((event) => event.id)).toEqual(joined.map((_, index) => index));
    expect(joined.at(-1)!.data).toBe('[DONE]');
    expect(openAIText(asEvents(joined))).toBe(referenceText);
  }

  it('same origin: the joined text equals the uninterrupted answer', async () => {
    expectWholeAnswer(await resumeFrom(`${harness.url}/resume.html`, ''));
  });

  it('from an origin in corsOrigins: preflight, exposed stream id header, cross-origin EventSource', async () => {
    expectWholeAnswer(await resumeFrom(`${allowedOrigin}/`, harness.url));
  });

  it('from any other origin the browser is refused (no CORS headers for it)', async () => {
    await expect(resumeFrom(`${otherOrigin}/`, harness.url)).rejects.toThrow(/Failed to fetch/);
  });
});

describe('CORS and ?api_key= over plain HTTP', () => {
  let harness: Harness;
  const origin = 'https://app.example.com';

  beforeAll(async () => {
    harness = await startHarness({ gateway: { apiKeys: [key], corsOrigins: [origin] } });
  });
  afterAll(() => harness?.close());

  const preflight = (path: string, from: string) =>
    fetch(`${harness.url}${path}`, {
      method: 'OPTIONS',
      headers: {
        origin: from,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, x-circuit-breaker-resumable',
      },
    });

  it('answers a preflight on /v1/* without a key: allow headers for a listed origin only', async () => {
    const allowed = await preflight('/v1/chat/completions', origin);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
    expect(allowed.headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect(allowed.headers.get('access-control-allow-headers')).toBe(
      'authorization, x-api-key, content-type, last-event-id, x-circuit-breaker-resumable',
    );
    expect(allowed.headers.get('vary')).toBe('origin');
    const messages = await preflight('/v1/messages', origin);
    expect(messages.headers.get('access-control-allow-origin')).toBe(origin);
    const stream = await preflight('/v1/streams/stream_x', origin);
    expect(stream.headers.get('access-control-allow-methods')).toBe('GET, DELETE, OPTIONS');

    const other = await preflight('/v1/chat/completions', 'https://evil.example.com');
    expect(other.status).toBe(204);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-allow-headers')).toBeNull();
  });

  it('adds allow-origin and exposes the stream id header on answers, errors included', async () => {
    const answer = await requestSse({
      url: `${harness.url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${key}`, origin },
      body: chatBody('openai/gpt-sim'),
    });
    expect(answer.headers['access-control-allow-origin']).toBe(origin);
    expect(answer.headers['access-control-expose-headers']).toContain('x-circuit-breaker-stream-id');
    const refused = await fetch(`${harness.url}/v1/models`, { headers: { origin } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(origin);
    const noOrigin = await fetch(`${harness.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('takes ?api_key= on GET /v1/streams/{id} only', async () => {
    const first = await requestSse({
      url: `${harness.url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${key}`, 'x-circuit-breaker-resumable': 'true' },
      body: chatBody('openai/gpt-sim'),
    });
    const id = first.headers['x-circuit-breaker-stream-id'] as string;
    const resumed = await requestSse({ url: `${harness.url}/v1/streams/${id}?api_key=${key}&last_event_id=0` });
    expect(resumed.status).toBe(200);
    expect(resumed.events.map((event) => event.data)).toEqual(first.events.slice(1).map((event) => event.data));
    const wrong = await fetch(`${harness.url}/v1/streams/${id}?api_key=sk-wrong`);
    expect(wrong.status).toBe(401);
    // Not on the other routes: a key in a URL ends up in logs, so only where a browser has no other way.
    expect((await fetch(`${harness.url}/v1/streams?api_key=${key}`)).status).toBe(401);
    expect((await fetch(`${harness.url}/v1/streams/${id}?api_key=${key}`, { method: 'DELETE' })).status).toBe(401);
  });
});

describe('without corsOrigins', () => {
  it('sends no CORS header, yet answers preflights (204, nothing allowed)', async () => {
    const harness = await startHarness({ gateway: { apiKeys: [key] } });
    try {
      const answer = await fetch(`${harness.url}/v1/chat/completions`, {
        method: 'OPTIONS',
        headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' },
      });
      expect(answer.status).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      expect(answer.headers.get('vary')).toBeNull();
    } finally {
      await harness.close();
    }
  });
});
