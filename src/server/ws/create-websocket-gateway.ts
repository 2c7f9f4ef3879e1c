import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';
import type { Router } from '../../core/router/create-router.js';
import { AuthenticationError, RouteNotFoundError } from '../errors/gateway-errors.js';
import { toOpenAIError } from '../errors/to-openai-error.js';
import { type Keyring, readQueryKey } from '../middleware/authenticate.js';
import { serveWebSocket, type WebSocketConnection } from './serve-websocket.js';

/** The path of the WebSocket endpoint. */
export const webSocketPath = '/v1/ws';
/** The subprotocol the gateway speaks; browsers offer it next to `bearer.<key>` (see docs/sessions.md). */
export const webSocketProtocol = 'circuit-breaker.v1';

export interface WebSocketGatewayOptions {
  router: Router;
  keyring: Keyring;
  secrets: readonly string[];
  /** Largest accepted message. */
  maxMessageBytes: number;
  /** Ping interval; a socket that has not answered the previous ping is terminated. Default 30 000 ms. */
  pingIntervalMs?: number;
  /** Per-socket bound on bytes waiting to be sent before its streams pause. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Default 100. */
  maxStreamsPerSocket?: number;
}

/** `/v1/ws` on a Node HTTP server: `server.on('upgrade', ws.handleUpgrade)`. */
export interface WebSocketGateway {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  activeStreams(): number;
  abortAll(reason: CircuitBreakerError): void;
  /** Closes every socket (aborting its streams) and stops the ping timer. */
  close(): void;
}

/**
 * The WebSocket endpoint. The key is checked at the upgrade, before any WebSocket exists: the same gateway keys as
 * HTTP, from `Authorization`/`x-api-key`, or for browsers (which cannot set headers on a WebSocket) a
 * `Sec-WebSocket-Protocol` entry `bearer.<key>` or the `api_key` query parameter; a bad or missing key is a plain
 * HTTP 401 and no upgrade. One unref'd timer pings every socket; one that missed the last pong is terminated.
 * @see https://github.com/websockets/ws#how-to-detect-and-close-broken-connections
 */
export function createWebSocketGateway(options: WebSocketGatewayOptions): WebSocketGateway {
  // `ws` costs ~15 MB of RSS once loaded, so it is imported on the first upgrade, not at startup.
  let server: WebSocketServer | undefined;
  let loading: Promise<WebSocketServer> | undefined;
  let closed = false;
  const loadServer = (): Promise<WebSocketServer> => {
    loading ??= import('ws').then(({ WebSocketServer }) => {
      server = new WebSocketServer({
        noServer: true,
        maxPayload: options.maxMessageBytes,
        perMessageDeflate: false,
        handleProtocols: (protocols) =>
          protocols.has(webSocketProtocol) ? webSocketProtocol : (protocols.values().next().value ?? false),
      });
      return server;
    });
    return loading;
  };
  const connections = new Set<WebSocketConnection>();
  const alive = new WeakMap<object, boolean>();
  const ping = setInterval(() => {
    if (!server) return;
    for (const ws of server.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, options.pingIntervalMs ?? 30_000);
  ping.unref();

  const upgrade = (wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    wss.handleUpgrade(req, socket, head, (ws) => {
      alive.set(ws, true);
      ws.on('pong', () => alive.set(ws, true));
      const connection = serveWebSocket(ws, socket, {
        router: options.router,
        secrets: options.secrets,
        maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
        maxStreamsPerSocket: options.maxStreamsPerSocket ?? 100,
      });
      connections.add(connection);
      ws.once('close', () => connections.delete(connection));
    });
  };

  return {
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://gateway');
      if (url.pathname !== webSocketPath) {
        rejectUpgrade(socket, new RouteNotFoundError(url.pathname), options.secrets);
        return;
      }
      if (options.keyring.enabled && !identify(options.keyring, req)) {
        const message =
          'Missing or invalid API key: send it as `Authorization: Bearer <key>`, a `bearer.<key>` subprotocol or `?api_key=`.';
        rejectUpgrade(socket, new AuthenticationError(message), options.secrets);
        return;
      }
      if (server) {
        upgrade(server, req, socket, head);
        return;
      }
      // First upgrade: the socket buffers what the client sends while `ws` loads (Node leaves it paused).
      loadServer().then(
        (wss) => {
          if (closed) socket.destroy();
          else upgrade(wss, req, socket, head);
        },
        () => socket.destroy(),
      );
    },
    activeStreams() {
      let count = 0;
      for (const connection of connections) count += connection.activeStreams();
      return count;
    },
    abortAll(reason) {
      for (const connection of connections) connection.abortAll(reason);
    },
    close() {
      closed = true;
      clearInterval(ping);
      if (!server) return;
      for (const ws of server.clients) ws.terminate();
      server.close();
    },
  };
}

/** The caller's identity from a header, a `bearer.<key>` subprotocol or the `api_key` query parameter. */
function identify(keyring: Keyring, req: IncomingMessage): string | undefined {
  const fromHeaders = keyring.identify(req);
  if (fromHeaders) return fromHeaders;
  const protocols = String(req.headers['sec-websocket-protocol'] ?? '').split(',');
  const fromProtocol = protocols.map((entry) => entry.trim()).find((entry) => entry.startsWith('bearer.'));
  const key = fromProtocol?.slice('bearer.'.length) ?? readQueryKey(req.url);
  return key ? keyring.identifyKey(key) : undefined;
}

/** Refuses an upgrade with a plain HTTP answer: the OpenAI error body, as every other route answers. */
function rejectUpgrade(socket: Duplex, error: CircuitBreakerError, secrets: readonly string[]): void {
  const { status, body } = toOpenAIError(error, secrets);
  const json = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
  );
}
