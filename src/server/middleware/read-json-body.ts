import type { IncomingMessage } from 'node:http';
import { InvalidRequestError } from '../../core/errors/request-errors.js';
import { PayloadTooLargeError } from '../errors/gateway-errors.js';

/**
 * Reads and parses a JSON request body of at most `maxBytes`. A declared `content-length` over the limit fails
 * before reading anything; an undeclared (chunked) body fails as soon as it crosses the limit, so an oversized
 * upload never sits in memory. The rest of an oversized body is discarded (the 413 response closes the connection).
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw discard(req, new PayloadTooLargeError(maxBytes));
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw discard(req, new PayloadTooLargeError(maxBytes));
    chunks.push(chunk as Buffer);
  }
  const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8');
  if (text.trim().length === 0) throw new InvalidRequestError('The request body is empty; send a JSON object.');
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError(
      'We could not parse the JSON body of your request: it is not valid JSON. Send a JSON object with content-type application/json.',
    );
  }
}

function discard(req: IncomingMessage, error: PayloadTooLargeError): PayloadTooLargeError {
  req.resume();
  return error;
}
