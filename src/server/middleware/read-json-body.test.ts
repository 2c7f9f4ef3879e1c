import type { IncomingMessage } from 'node:http';
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
});
