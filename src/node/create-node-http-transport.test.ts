import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, constants, createGzip } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createNodeHttpTransport } from './create-node-http-transport.js';

let server: Server | undefined;
const transport = createNodeHttpTransport();

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(handler: Parameters<typeof createServer>[1], host = '127.0.0.1'): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, host, resolve));
  const port = (server!.address() as AddressInfo).port;
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/** Whether this machine can listen on IPv6 loopback (some containers have no `::1`). */
async function hasIpv6Loopback(): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}

const ipv6Loopback = await hasIpv6Loopback();

describe('createNodeHttpTransport', () => {
  it('decodes a gzip-compressed stream as it arrives, each flushed event at once', async () => {
    let sendSecond: () => void = () => {};
    const url = await listen((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream', 'content-encoding': 'gzip' });
      const gzip = createGzip();
      gzip.pipe(res);
      gzip.write('data: first\n\n');
      gzip.flush(constants.Z_SYNC_FLUSH);
      sendSecond = () => gzip.end('data: second\n\n');
    });
    const response = await transport({ url, headers: {}, body: '{}' });
    expect(response.headers.get('content-encoding')).toBeNull();
    const iterator = response.body[Symbol.asyncIterator]();
    // The first event is readable before the server has written the second: nothing waits for the whole body.
    const first = await iterator.next();
    expect(Buffer.from(first.value as Uint8Array).toString()).toBe('data: first\n\n');
    sendSecond();
    let rest = '';
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      rest += Buffer.from(next.value as Uint8Array).toString();
    }
    expect(rest).toBe('data: second\n\n');
  });

  it('decodes a brotli-compressed JSON answer', async () => {
    const url = await listen((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'br' });
      res.end(brotliCompressSync(JSON.stringify({ ok: true })));
    });
    const response = await transport({ url, headers: {}, body: '{}' });
    expect(JSON.parse(await response.text())).toEqual({ ok: true });
  });

  it('posts the body with the headers and streams the answer', async () => {
    let received = '';
    const url = await listen((req, res) => {
      req.on('data', (chunk) => {
        received += chunk;
      });
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'x-ratelimit-remaining-requests': '7' });
        res.write('data: 1\n\n');
        setTimeout(() => res.end('data: 2\n\n'), 10);
      });
    });
    const response = await transport({ url, headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('7');
    let text = '';
    for await (const bytes of response.body) text += Buffer.from(bytes).toString();
    expect(text).toBe('data: 1\n\ndata: 2\n\n');
    expect(received).toBe('{"a":1}');
  });

  it('sends each header once whatever its case (the last wins), with host and content-length as Node adds them', async () => {
    let rawHeaders: string[] = [];
    const url = await listen((req, res) => {
      rawHeaders = req.rawHeaders;
      req.resume();
      req.on('end', () => res.end());
    });
    const response = await transport({
      url,
      headers: { 'content-type': 'text/plain', 'X-Key': 'a', 'x-key': 'b', 'content-length': '1' },
      body: '{"é":1}',
    });
    await response.text();
    const port = new URL(url).port;
    expect(rawHeaders).toEqual(
      expect.arrayContaining(['content-type', 'text/plain', 'x-key', 'b', 'host', `127.0.0.1:${port}`]),
    );
    expect(rawHeaders.filter((name) => name.toLowerCase() === 'x-key')).toHaveLength(1);
    expect(rawHeaders.filter((name) => name.toLowerCase() === 'content-length')).toHaveLength(1);
    expect(rawHeaders[rawHeaders.findIndex((name) => name.toLowerCase() === 'content-length') + 1]).toBe('8');
  });

  it('sends the credentials of the URL as basic authorization, unless an authorization header is given', async () => {
    const seen: (string | undefined)[] = [];
    const url = await listen((req, res) => {
      seen.push(req.headers.authorization);
      req.resume();
      req.on('end', () => res.end());
    });
    const withCredentials = url.replace('http://', 'http://us%40er:p%3Ass@');
    await (await transport({ url: withCredentials, headers: {}, body: '{}' })).text();
    await (await transport({ url: withCredentials, headers: { Authorization: 'Bearer k' }, body: '{}' })).text();
    expect(seen).toEqual([`Basic ${Buffer.from('us@er:p:ss').toString('base64')}`, 'Bearer k']);
  });

  it.skipIf(!ipv6Loopback)(
    'reaches an IPv6 upstream: connects to the bare address, sends the bracketed host and the path with its query',
    async () => {
      let seen: { host?: string; url?: string; body?: string } = {};
      const url = await listen((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (chunk: string) => {
          body += chunk;
        });
        req.on('end', () => {
          seen = { host: req.headers.host, url: req.url, body };
          res.end('ok');
        });
      }, '::1');
      const response = await transport({ url: `${url}/v1/chat?alt=sse`, headers: {}, body: '{"a":1}' });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('ok');
      expect(seen).toEqual({ host: `[::1]:${new URL(url).port}`, url: '/v1/chat?alt=sse', body: '{"a":1}' });
    },
  );

  it('takes a given host header instead of its own', async () => {
    let host: string | undefined;
    const url = await listen((req, res) => {
      host = req.headers.host;
      req.resume();
      req.on('end', () => res.end());
    });
    await (await transport({ url, headers: { Host: 'api.example.com' }, body: '{}' })).text();
    expect(host).toBe('api.example.com');
  });

  it('reads response headers case-insensitively from the raw list, repeated ones joined as fetch joins them', async () => {
    const url = await listen((_req, res) => {
      res.setHeader('X-RateLimit-Remaining-Tokens', '900');
      res.setHeader('x-upstream-note', ['a', 'b']);
      res.end('{}');
    });
    const response = await transport({ url, headers: {}, body: '{}' });
    expect(response.headers.get('x-ratelimit-remaining-tokens')).toBe('900');
    expect(response.headers.get('X-UPSTREAM-NOTE')).toBe(
      new Headers([
        ['x', 'a'],
        ['x', 'b'],
      ]).get('x'),
    );
    expect(response.headers.get('x-absent')).toBeNull();
    await response.text();
  });

  it('answers a non-2xx status with its body as text', async () => {
    const url = await listen((_req, res) => {
      res.writeHead(429, { 'retry-after': '2' });
      res.end('{"error":"slow down"}');
    });
    const response = await transport({ url, headers: {}, body: '{}' });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    await expect(response.text()).resolves.toBe('{"error":"slow down"}');
  });

  it('aborting the signal mid-body, or leaving the iteration early, closes the upstream request', async () => {
    const closed: Promise<void>[] = [];
    const url = await listen((_req, res) => {
      closed.push(new Promise((resolve) => res.on('close', () => resolve())));
      res.writeHead(200);
      res.write('data: 1\n\n');
    });
    const controller = new AbortController();
    const first = await transport({ url, headers: {}, body: '{}', signal: controller.signal });
    const iterator = first.body[Symbol.asyncIterator]();
    await iterator.next();
    const reason = new Error('client left');
    controller.abort(reason);
    await expect(iterator.next()).rejects.toBeDefined();
    await closed[0];

    const second = await transport({ url, headers: {}, body: '{}' });
    for await (const _bytes of second.body) break;
    await closed[1];
  });

  it('a response quiet for longer than the pool idle timeout is not cut', async () => {
    const url = await listen((_req, res) => {
      res.writeHead(200);
      res.write('data: 1\n\n');
      setTimeout(() => res.end('data: 2\n\n'), 300);
    });
    const short = createNodeHttpTransport({ keepAliveTimeoutMs: 50 });
    const response = await short({ url, headers: {}, body: '{}' });
    let text = '';
    for await (const bytes of response.body) text += Buffer.from(bytes).toString();
    expect(text).toBe('data: 1\n\ndata: 2\n\n');
    await short.close();
  });
});
