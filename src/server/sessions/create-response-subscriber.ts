import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';
import { servedByHeaders } from '../streaming/served-by-headers.js';
import { createSseResponse, type SseResponse } from '../streaming/sse-response.js';
import type { SessionSubscriber, StreamSession } from './create-stream-session.js';

/** An SSE response reading a session; `done` settles when the response is over. */
export interface ResponseSubscriber extends SessionSubscriber {
  /**
   * Resolves when the response ended or the client went away; rejects with the stream's error when it failed
   * before any header went out, so the route answers a clean HTTP error.
   */
  readonly done: Promise<void>;
}

/**
 * Wires one HTTP response to a session through the gateway's SSE writer: headers (with
 * `x-circuit-breaker-stream-id` and the served-by headers) wait for the first frame unless `sendHeadersNow`
 * (a resume: the stream already exists), keep-alive comments cover silences, and a client that goes away detaches
 * from the session (which decides between waiting for a reconnect and aborting the upstream).
 */
export function createResponseSubscriber(options: {
  res: ServerResponse;
  /** Sent on top of the SSE and stream headers (the request id headers of a new stream). */
  headers?: OutgoingHttpHeaders;
  session: StreamSession;
  headerDeadlineMs: number;
  keepAliveIntervalMs: number;
  sendHeadersNow: boolean;
}): ResponseSubscriber {
  return new SseSessionSubscriber(options);
}

/** A class, not a literal of closures: every open stream holds its subscriber (see sse-response.ts). */
class SseSessionSubscriber implements ResponseSubscriber {
  readonly done: Promise<void>;
  closed: boolean;
  readonly #session: StreamSession;
  readonly #sse: SseResponse;
  #settle: { resolve(): void; reject(error: unknown): void } | undefined;

  constructor(options: Parameters<typeof createResponseSubscriber>[0]) {
    const { res, session } = options;
    this.#session = session;
    this.closed = res.destroyed;
    this.#sse = createSseResponse({
      res,
      headers: {
        ...options.headers,
        'x-circuit-breaker-stream-id': session.id,
        'x-circuit-breaker-resumable': String(session.resumable),
      },
      headerDeadlineMs: options.headerDeadlineMs,
      keepAliveIntervalMs: options.keepAliveIntervalMs,
    });
    this.done = new Promise<void>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // `on`, not `once`: 'close' comes once, and a `once` wrapper is ~0.1 KB more held for the whole stream.
    res.on('close', () => {
      this.closed = true;
      session.detach(this);
      this.#finish();
    });
    if (options.sendHeadersNow) this.#sendHeaders();
  }

  write(frame: string): boolean {
    this.#sendHeaders();
    return this.#sse.write(frame);
  }

  drained(): Promise<void> {
    return this.#sse.drained();
  }

  end(): void {
    this.#sendHeaders();
    this.#sse.end();
    this.#finish();
  }

  fail(error: CircuitBreakerError, frame: string): void {
    if (!this.#sse.headersSent) {
      this.#finish(error);
      return;
    }
    this.#sse.end(frame);
    this.#finish();
  }

  /** Headers go out with the first frame (or at the end), naming who served: a no-op once they are out. */
  #sendHeaders(): void {
    if (!this.#sse.headersSent) this.#sse.sendHeaders(servedByHeaders(this.#session.servedBy));
  }

  #finish(error?: CircuitBreakerError): void {
    this.#sse.dispose();
    const settle = this.#settle;
    this.#settle = undefined;
    if (error) settle?.reject(error);
    else settle?.resolve();
  }
}
