import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readJsonBody } from './read-json-body.js';

function request(pieces: string[], headers: Record<string, string> = {}): IncomingMessage {
  return Object.assign(Readable.from(pieces.map((piece) => Buffer.from(piece))), {
    headers,
  }) as unknown as IncomingMessage;
}

describe('readJsonBody', () => {
  it('parses a body that arrives in pieces', async () => {
    await expect(readJsonBody(request(['{"a":', '1}']), 100)).resolves.toEqual({ a: 1 });
  });

  it('rejects a declared length over the limit before reading', async () => {
    await expect(readJsonBody(request(['{}'], { 'content-length': '101' }), 100)).rejects.toMatchObject({
      status: 413,
    });
  });

  it('rejects an undeclared (chunked) body as soon as it crosses the limit', async () => {
    await expect(readJsonBody(request(['{"a":"', 'x'.repeat(80), 'x'.repeat(80), '"}']), 100)).rejects.toMatchObject({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
  });

  it('answers malformed and empty bodies with 400', async () => {
    await expect(readJsonBody(request(['{"a":']), 100)).rejects.toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    await expect(readJsonBody(request([]), 100)).rejects.toMatchObject({ status: 400 });
  });

  it('rejects, over a real socket, when the client hangs up halfway through its body', async () => {
    let read: Promise<unknown> | undefined;
    const server = createServer((req) => {
      read = readJsonBody(req, 1000);
      read.catch(() => {});
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const client = httpRequest({ host: '127.0.0.1', port, method: 'POST', headers: { 'content-length': '100' } });
    client.on('error', () => {});
    client.write('{"model":');
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.destroy();
    await expect.poll(() => read !== undefined).toBe(true);
    await expect(read).rejects.toMatchObject({ code: 'CANCELLED' });
    server.close();
  });
});
