import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';
import { CancelledError, InvalidRequestError } from '../../core/errors/request-errors.js';
import type { ChatCompletionStream } from '../../core/router/chat-completion-stream.js';
import type { Router } from '../../core/router/create-router.js';
import { toGatewayError } from '../errors/gateway-errors.js';
import { toOpenAIError } from '../errors/to-openai-error.js';
import { StreamCancelledError } from '../sessions/session-errors.js';
import { parseClientMessage } from './parse-client-message.js';

export interface ServeWebSocketOptions {
  router: Router;
  secrets: readonly string[];
  /** Past this many bytes waiting in the socket, every stream of the socket pauses until it drains. */
  maxBufferedBytes: number;
  /** Streams one socket may run at once. */
  maxStreamsPerSocket: number;
}

/** One open `/v1/ws` connection. */
export interface WebSocketConnection {
  activeStreams(): number;
  /** Aborts every stream of the socket; each gets an error message for `reason`. */
  abortAll(reason: CircuitBreakerError): void;
}

/**
 * Serves one socket: each `chat.completion.create` runs a router stream whose chunks go out as `chunk` messages,
 * interleaved with the socket's other streams, then `done` (with usage) or `error`. Backpressure is per socket:
 * a stream pulls its next chunk only while the socket's buffered bytes stay under `maxBufferedBytes`, otherwise it
 * waits for the socket's `drain`, so a client that stops reading pauses every upstream read of that socket and
 * memory stays bounded. Closing the socket aborts all its upstream requests.
 */
export function serveWebSocket(ws: WebSocket, socket: Duplex, options: ServeWebSocketOptions): WebSocketConnection {
  const streams = new Map<string, ChatCompletionStream>();
  const cancelled = new Set<string>();
  let gate: Promise<void> | undefined;

  function send(message: string): void {
    if (ws.readyState === ws.OPEN) ws.send(message);
  }

  function sendError(id: string | null, thrown: unknown): void {
    const error = toGatewayError(thrown);
    const body = toOpenAIError(error, options.secrets).body;
    send(`{"type":"error","id":${JSON.stringify(id)},"error":${JSON.stringify(body.error)}}`);
  }

  /** One shared wait per socket (not one listener per stream) for the buffered bytes to drain. */
  async function writable(): Promise<void> {
    while (ws.bufferedAmount > options.maxBufferedBytes && ws.readyState === ws.OPEN) {
      gate ??= new Promise<void>((resolve) => {
        const done = () => {
          socket.off('drain', done);
          socket.off('close', done);
          gate = undefined;
          resolve();
        };
        socket.on('drain', done);
        socket.on('close', done);
      });
      await gate;
    }
  }

  async function pump(id: string, stream: ChatCompletionStream): Promise<void> {
    const prefix = `{"type":"chunk","id":${JSON.stringify(id)},"chunk":`;
    try {
      for await (const chunk of stream) {
        send(`${prefix}${JSON.stringify(chunk)}}`);
        await writable();
      }
      send(`{"type":"done","id":${JSON.stringify(id)},"usage":${JSON.stringify(stream.usage ?? null)}}`);
    } catch (thrown) {
      sendError(id, cancelled.has(id) ? new StreamCancelledError('The stream was cancelled by the client.') : thrown);
    } finally {
      streams.delete(id);
      cancelled.delete(id);
    }
  }

  function start(id: string, request: Record<string, unknown>): void {
    if (streams.has(id)) throw invalid(`A stream with id "${id}" is already running on this socket.`);
    if (streams.size >= options.maxStreamsPerSocket) {
      throw invalid(`At most ${options.maxStreamsPerSocket} streams may run at once on one socket.`);
    }
    const stream = options.router.streamChatCompletion({ ...request, stream: true });
    streams.set(id, stream);
    void pump(id, stream);
  }

  function cancel(id: string): void {
    const stream = streams.get(id);
    if (!stream) throw invalid(`No running stream "${id}" on this socket.`);
    cancelled.add(id);
    stream.abort(new CancelledError('Cancelled by the client.'));
  }

  ws.on('message', (data, isBinary) => {
    const parsed = parseClientMessage(isBinary ? '' : data.toString());
    if (!parsed.ok) {
      sendError(parsed.id, parsed.error);
      return;
    }
    const { message } = parsed;
    try {
      switch (message.type) {
        case 'chat.completion.create':
          start(message.id, message.request);
          break;
        case 'cancel':
          cancel(message.id);
          break;
        default:
          assertNever(message);
      }
    } catch (error) {
      sendError(message.id, error);
    }
  });

  ws.on('close', () => {
    for (const stream of streams.values()) stream.abort(new CancelledError('The WebSocket closed.'));
  });

  return {
    activeStreams: () => streams.size,
    abortAll(reason) {
      for (const stream of streams.values()) stream.abort(reason);
    },
  };
}

function invalid(message: string): CircuitBreakerError {
  return new InvalidRequestError(message);
}

function assertNever(value: never): never {
  throw new Error(`Unhandled message: ${JSON.stringify(value)}`);
}
