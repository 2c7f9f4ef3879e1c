import { Agent, request } from 'undici';
import type { HttpTransport } from '../core/providers/provider.js';

export interface UndiciTransportOptions {
  /** How long an idle upstream connection stays open for reuse. Default 4 000 ms (undici's). */
  keepAliveTimeoutMs?: number;
}

/**
 * The providers' HTTP client on Node: `undici.request` instead of `fetch`. Same wire behaviour (keep-alive pool per
 * origin, `TCP_NODELAY`), without fetch's per-request `Request`/`Response` objects and its web-stream body: the
 * request head and body leave in one write, and the response body is a Node stream read one chunk per network read.
 * Aborting the signal, or leaving the body iteration early, destroys the upstream request.
 */
export function createUndiciTransport(
  options: UndiciTransportOptions = {},
): HttpTransport & { close(): Promise<void> } {
  const dispatcher = new Agent({ keepAliveTimeout: options.keepAliveTimeoutMs ?? 4_000 });
  const transport = async ({ url, headers, body, signal }: Parameters<HttpTransport>[0]) => {
    const response = await request(url, { method: 'POST', headers, body, signal, dispatcher });
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const item of value) responseHeaders.append(name, item);
      else responseHeaders.set(name, value);
    }
    return {
      status: response.statusCode,
      headers: responseHeaders,
      body: response.body,
      text: () => response.body.text(),
    };
  };
  return Object.assign(transport, { close: () => dispatcher.close() });
}
