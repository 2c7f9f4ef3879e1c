import { createServer, request, type Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { flattenHeaderBlock } from './flatten-header-block.js';

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('flattenHeaderBlock', () => {
  it('leaves the header block Node sends unchanged', async () => {
    let blockBefore = '';
    let blockAfter = '';
    server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream', 'x-one': '1', 'x-two': 'two' });
      blockBefore = String((res as unknown as { _header: string })._header);
      flattenHeaderBlock(res);
      blockAfter = String((res as unknown as { _header: string })._header);
      res.end('data: done\n\n');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const received = await new Promise<{ headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/' }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (text: string) => {
          body += text;
        });
        res.on('end', () => resolve({ headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
      flattenHeaderBlock(req);
    });
    expect(blockAfter).toBe(blockBefore);
    expect(blockAfter).toMatch(/^HTTP\/1\.1 200 OK\r\n.*x-two: two\r\n/s);
    expect(received.headers).toMatchObject({ 'content-type': 'text/event-stream', 'x-one': '1', 'x-two': 'two' });
    expect(received.body).toBe('data: done\n\n');
  });

  it('does nothing before the header block is built', () => {
    const res = new ServerResponse({ method: 'GET', httpVersionMajor: 1, httpVersionMinor: 1 } as never);
    expect(() => flattenHeaderBlock(res)).not.toThrow();
    expect(res.headersSent).toBe(false);
  });
});
