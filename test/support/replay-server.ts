import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { closeServer, listenOnLoopback } from './listen-server.js';

/** One request the replay server received, for request-mapping assertions. */
export interface RecordedRequest {
  method: string;
  /** Path including the query string. */
  path: string;
  headers: IncomingHttpHeaders;
  bodyText: string;
  /** Parsed JSON body, or undefined when the body was not JSON. */
  body: unknown;
}

/** How the recorded bytes are written: all at once, one byte per write, or random sizes (seeded). */
export type WritePattern = 'whole' | 'bytewise' | { random: number };

export interface ReplayResponse {
  status?: number;
  headers?: Record<string, string>;
  body: string | Uint8Array;
  writes?: WritePattern;
}

export interface ReplayServer {
  /** `http://127.0.0.1:<port>` with no trailing slash. */
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/**
 * A real local HTTP server that answers every request with a recorded response, writing the bytes in the chosen
 * pattern with a flush between writes, so the client sees them split at awkward places (inside a field name,
 * inside a UTF-8 character, between `\r` and `\n`).
 */
export async function startReplayServer(
  respond: ReplayResponse | ((request: RecordedRequest) => ReplayResponse),
): Promise<ReplayServer> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bodyText = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(bodyText);
    } catch {
      body = undefined;
    }
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      bodyText,
      body,
    };
    requests.push(recorded);
    const response = typeof respond === 'function' ? respond(recorded) : respond;
    res.socket?.setNoDelay(true);
    res.writeHead(response.status ?? 200, { 'content-type': 'text/event-stream', ...response.headers });
    const bytes = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : Buffer.from(response.body);
    for (const piece of splitBytes(bytes, response.writes ?? 'whole')) {
      if (res.destroyed) return;
      res.write(piece);
      // Yield to the event loop so each write leaves as its own TCP segment.
      await new Promise((resolve) => setImmediate(resolve));
    }
    res.end();
  });
  return { url: await listenOnLoopback(server), requests, close: () => closeServer(server) };
}

function* splitBytes(bytes: Buffer, pattern: WritePattern): Generator<Buffer> {
  if (pattern === 'whole') {
    yield bytes;
    return;
  }
  if (pattern === 'bytewise') {
    for (let index = 0; index < bytes.length; index++) yield bytes.subarray(index, index + 1);
    return;
  }
  let seed = pattern.random;
  const next = () => {
    // mulberry32: a tiny seeded generator so a failing split can be replayed.
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let offset = 0;
  while (offset < bytes.length) {
    const size = 1 + Math.floor(next() * 17);
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

/** The three write patterns every recorded stream is replayed in. */
export const allWritePatterns: WritePattern[] = ['whole', 'bytewise', { random: 7 }, { random: 1234 }];
