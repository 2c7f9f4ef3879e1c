import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { compressBody, minimumCompressibleBytes, negotiateEncoding } from './middleware/compression.js';

/**
 * Writes a complete JSON response, compressed when the client accepts it and the body is worth it.
 * Does nothing when the client is already gone.
 */
export async function sendJson(
  res: ServerResponse,
  options: {
    status: number;
    body: unknown;
    headers?: OutgoingHttpHeaders;
    acceptEncoding?: string;
    compress?: boolean;
  },
): Promise<void> {
  if (res.headersSent || res.destroyed) return;
  let payload: Buffer = Buffer.from(JSON.stringify(options.body), 'utf8');
  const headers: OutgoingHttpHeaders = { 'content-type': 'application/json', ...options.headers };
  if (options.compress !== false && payload.length >= minimumCompressibleBytes) {
    const encoding = negotiateEncoding(options.acceptEncoding);
    headers.vary = 'accept-encoding';
    if (encoding) {
      payload = await compressBody(payload, encoding);
      headers['content-encoding'] = encoding;
    }
    if (res.destroyed) return;
  }
  headers['content-length'] = payload.length;
  res.writeHead(options.status, headers);
  res.end(payload);
}
