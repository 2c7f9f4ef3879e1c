import type { ServerResponse } from 'node:http';
import type { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';
import { servedByHeaders } from '../streaming/served-by-headers.js';
import { createSseResponse } from '../streaming/sse-response.js';
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
  session: StreamSession;
  headerDeadlineMs: number;
  keepAliveIntervalMs: number;
  sendHeadersNow: boolean;
}): ResponseSubscriber {
  const { res, session } = options;
  const sse = createSseResponse({
    res,
    headers: {
      'x-circuit-breaker-stream-id': session.id,
      'x-circuit-breaker-resumable': String(session.resumable),
    },
    headerDeadlineMs: options.headerDeadlineMs,
    keepAliveIntervalMs: options.keepAliveIntervalMs,
  });
  let settle: { resolve(): void; reject(error: unknown): void } | undefined;
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });

  /** Headers go out with the first frame (or at the end), naming who served: a no-op once they are out. */
  function sendHeaders(): void {
    if (!sse.headersSent) sse.sendHeaders(servedByHeaders(session.servedBy));
  }

  function finish(error?: CircuitBreakerError): void {
    sse.dispose();
    if (error) settle?.reject(error);
    else settle?.resolve();
    settle = undefined;
  }

  const subscriber: ResponseSubscriber & { closed: boolean } = {
    done,
    // A data property, not a getter: V8 builds an object literal with a getter in dictionary mode, with a hidden class of
    // its own, ~0.4 KB more for every open stream (memory probe).
    closed: res.destroyed,
    write(frame) {
      sendHeaders();
      return sse.write(frame);
    },
    drained: () => sse.drained(),
    end() {
      sendHeaders();
      sse.end();
      finish();
    },
    fail(error, frame) {
      if (!sse.headersSent) return finish(error);
      sse.end(frame);
      finish();
    },
  };
  res.once('close', () => {
    subscriber.closed = true;
    session.detach(subscriber);
    finish();
  });
  if (options.sendHeadersNow) sendHeaders();
  return subscriber;
}
