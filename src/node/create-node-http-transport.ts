import { type ClientRequest, Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { Readable } from 'node:stream';
import { urlToHttpOptions } from 'node:url';
import zlib from 'node:zlib';
import type { HttpTransport, HttpTransportResponse, ResponseHeaders } from '../core/providers/provider.js';
import { flattenHeaderBlock } from '../server/streaming/flatten-header-block.js';
import { ReadableByteIterator } from './readable-byte-iterator.js';

export interface NodeHttpTransportOptions {
  /** How long an idle upstream connection stays open for reuse. Default 4 000 ms (shorter than Node servers' 5 s). */
  keepAliveTimeoutMs?: number;
}

const ignore = (): void => {};

/**
 * The providers' HTTP client on Node, built on `node:http`/`node:https` (Node's own C++ HTTP parser, nothing extra
 * to load: the npm `undici` package this replaced cost ~20 MB of idle RSS). A keep-alive pool per origin with
 * `TCP_NODELAY`; `req.end(body)` sends the request head and body in one write; the response body is the
 * `IncomingMessage`, read what arrived at a time (ReadableByteIterator). Aborting the signal, or leaving the body
 * iteration early, destroys the upstream request. A request that cannot be made rejects (the provider maps it to a connection error).
 */
export function createNodeHttpTransport(
  options: NodeHttpTransportOptions = {},
): HttpTransport & { close(): Promise<void> } {
  // `timeout` closes sockets idle in the pool; on a socket in use it only emits an event nobody acts on.
  const agentOptions = {
    keepAlive: true,
    noDelay: true,
    scheduling: 'lifo' as const,
    timeout: options.keepAliveTimeoutMs ?? 4_000,
  };
  const httpAgent = new HttpAgent(agentOptions);
  // node:https (and with it node:tls, ~1 MB of RSS) loads on the first https upstream call: loopback and local
  // upstreams never need it.
  let https: { agent: HttpAgent; request: typeof httpRequest } | undefined;
  const loadHttps = () => {
    if (https) return https;
    const module = createRequire(import.meta.url)('node:https') as typeof import('node:https');
    https = { agent: new module.Agent(agentOptions), request: module.request };
    return https;
  };

  const transport = ({ url, headers, body, signal }: Parameters<HttpTransport>[0]) =>
    new Promise<HttpTransportResponse>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const target = new URL(url);
      // Node's own reading of a URL for a request: the IPv6 host unbracketed, the path with its query, the
      // credentials decoded.
      const { hostname, port, path, auth } = urlToHttpOptions(target);
      const secure = target.protocol === 'https:';
      const client = secure ? loadHttps() : undefined;
      // Plain options and a header list, not the URL and a header object. Why: the agent copies the options into the
      // pooled socket's listeners for the socket's life (with the URL's href, search, … strings), and a header object
      // makes the request keep a stored-headers object besides (~0.7 KB per open stream, memory probe).
      const req = (client ? client.request : httpRequest)({
        host: hostname,
        port,
        path,
        method: 'POST',
        headers: toHeaderList(headers, { host: target.host, auth }, Buffer.byteLength(body)),
        agent: client ? client.agent : httpAgent,
      });
      // What waits for the response lives in its own object: a closure here would keep this scope, with the
      // request body and headers, for as long as the stream is open.
      new UpstreamCall(req, signal, resolve, reject);
      req.end(body);
      // Built by `end`, kept as long as the upstream stream is open.
      flattenHeaderBlock(req);
    });

  return Object.assign(transport, {
    close: async () => {
      httpAgent.destroy();
      https?.agent.destroy();
    },
  });
}

/**
 * The request headers as Node's flat `[name, value, …]` list, as Node would send the header object with the URL:
 * one entry per name whatever its case (the last one wins), `host` unless given (the URL's `host`: the port when not
 * the default, brackets around an IPv6 address), basic `authorization` from the URL's credentials unless given, and
 * our `content-length` in place of any given.
 */
function toHeaderList(
  headers: Record<string, string>,
  target: { host: string; auth?: string | null },
  contentLength: number,
): string[] {
  const list: string[] = [];
  for (const name in headers) {
    if (name.toLowerCase() === 'content-length') continue;
    const at = indexOfHeader(list, name);
    if (at === -1) list.push(name, headers[name] as string);
    else list.splice(at, 2, name, headers[name] as string);
  }
  if (indexOfHeader(list, 'host') === -1) list.push('host', target.host);
  if (target.auth && indexOfHeader(list, 'authorization') === -1)
    list.push('authorization', `Basic ${Buffer.from(target.auth).toString('base64')}`);
  list.push('content-length', String(contentLength));
  return list;
}

function indexOfHeader(list: readonly string[], name: string): number {
  const wanted = name.toLowerCase();
  for (let i = 0; i < list.length; i += 2) if ((list[i] as string).toLowerCase() === wanted) return i;
  return -1;
}

/**
 * One upstream request from its start to its response's end: settles the transport's promise with the response (or
 * the error), and destroys request and response when the signal aborts. The signal's listener is this object
 * (`handleEvent`), not a closure.
 */
class UpstreamCall {
  readonly #req: ClientRequest;
  readonly #signal: AbortSignal | undefined;
  #resolve: ((response: HttpTransportResponse) => void) | undefined;
  #reject: ((reason: unknown) => void) | undefined;
  #res: IncomingMessage | undefined = undefined;

  constructor(
    req: ClientRequest,
    signal: AbortSignal | undefined,
    resolve: (response: HttpTransportResponse) => void,
    reject: (reason: unknown) => void,
  ) {
    this.#req = req;
    this.#signal = signal;
    this.#resolve = resolve;
    this.#reject = reject;
    signal?.addEventListener('abort', this, { once: true });
    // `on`, not `once`, here and for the response's 'close': a `once` wrapper is ~0.1 KB held for the stream's life,
    // and a listener left in place also keeps a second 'error' from going unhandled (settling twice is a no-op).
    req.on('error', (error) => {
      signal?.removeEventListener('abort', this);
      this.#settle(undefined, error);
    });
    req.once('response', (response) => this.#onResponse(response));
  }

  /** The signal aborted. */
  handleEvent(): void {
    const reason = this.#signal?.reason;
    this.#req.destroy(reason);
    this.#res?.destroy(reason);
    this.#settle(undefined, reason);
  }

  #onResponse(response: IncomingMessage): void {
    this.#res = response;
    // Errors reach whoever reads the body; unread, they must not crash the process.
    response.on('error', ignore);
    const signal = this.#signal;
    if (signal) response.on('close', () => signal.removeEventListener('abort', this));
    const raw = response.rawHeaders;
    const decoded = decodeContentEncoding(response, readRawHeader(raw, 'content-encoding'));
    this.#settle({
      status: response.statusCode ?? 0,
      headers: rawHeaderReader(raw, decoded === response ? undefined : 'content-encoding'),
      body: new ReadableByteIterator(decoded),
      text: () => readText(decoded),
    });
  }

  /** Settles once; the resolve and reject functions are let go. */
  #settle(response: HttpTransportResponse | undefined, error?: unknown): void {
    const resolve = this.#resolve;
    const reject = this.#reject;
    this.#resolve = undefined;
    this.#reject = undefined;
    if (response) resolve?.(response);
    else reject?.(error);
  }
}

/**
 * The response headers as the router reads them, straight from Node's raw `[name, value, …]` list. Not
 * `response.headers` (Node builds that object lazily, on first access) nor a fetch `Headers` copy: together they were
 * ~50 µs per request, and the router reads a handful of names once. `hidden` is left out (a decoded encoding).
 */
function rawHeaderReader(raw: readonly string[], hidden: string | undefined): ResponseHeaders {
  return { get: (name) => (name.toLowerCase() === hidden ? null : readRawHeader(raw, name)) };
}

/** A header from the raw list, case-insensitive; repeated headers are joined by ", " as fetch's `Headers` does. */
function readRawHeader(raw: readonly string[], name: string): string | null {
  const wanted = name.toLowerCase();
  let value: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i] as string;
    if (key.length !== wanted.length || key.toLowerCase() !== wanted) continue;
    value = value === null ? (raw[i + 1] as string) : `${value}, ${raw[i + 1]}`;
  }
  return value;
}

/**
 * We never ask for compression (it would hold tokens back in the compressor), but an upstream or a proxy in front of
 * it may compress anyway: gzip, deflate and br bodies are decoded as they arrive, each flush passed on at once.
 */
function decodeContentEncoding(response: IncomingMessage, contentEncoding: string | null): Readable {
  if (contentEncoding === null) return response;
  const encoding = contentEncoding.trim().toLowerCase();
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  let decoder: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') decoder = zlib.createGunzip(flush);
  else if (encoding === 'deflate') decoder = zlib.createInflate(flush);
  else if (encoding === 'br') {
    decoder = zlib.createBrotliDecompress({
      flush: zlib.constants.BROTLI_OPERATION_FLUSH,
      finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
    });
  }
  if (!decoder) return response;
  decoder.on('error', ignore);
  // Destroying the decoder (the reader left early) destroys the upstream response, and with it the socket.
  decoder.once('close', () => {
    if (!response.complete) response.destroy();
  });
  return response.pipe(decoder);
}

async function readText(response: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
