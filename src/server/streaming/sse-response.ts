import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { encodeSseComment } from '../../core/sse/encode-sse.js';

/** The headers of every SSE response; `x-accel-buffering: no` keeps nginx from buffering the stream. */
export const sseHeaders: Readonly<OutgoingHttpHeaders> = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

export interface SseResponseOptions {
  res: ServerResponse;
  /** Sent in every case, on top of {@link sseHeaders} (request id, …). */
  headers?: OutgoingHttpHeaders;
  /** Longest the status line and headers are held back waiting for the first content. */
  headerDeadlineMs: number;
  /** A `: keep-alive` comment goes out after this long without a write, once the headers are out. */
  keepAliveIntervalMs: number;
}

/** An SSE response whose headers wait for the first content (see {@link createSseResponse}). */
export interface SseResponse {
  readonly headersSent: boolean;
  /** Sends the status line and headers now, with `extra` (the served-by headers); a no-op once they are out. */
  sendHeaders(extra?: OutgoingHttpHeaders): void;
  /** Writes one encoded frame at once. False: the socket buffer is full, await {@link drained} before the next. */
  write(text: string): boolean;
  /** Resolves on `drain`, or when the response closes (then nothing more is written). */
  drained(): Promise<void>;
  /** Writes the last frame and ends the response. */
  end(text?: string): void;
  /** Clears the timers; call once the stream is over, however it ended. */
  dispose(): void;
}

/**
 * The SSE writer. Headers are held until the first content, so a failure before it is still a clean HTTP error with
 * the right status, and so the served-by headers can say who answered. A slow upstream must not leave the client
 * without a response, though: after `headerDeadlineMs` the headers go out (without served-by) and keep-alive
 * comments follow while nothing else is written. Frames are written the moment they are handed over, with no
 * batching, on a socket with Nagle off; backpressure is the caller's `await drained()` when `write` says so.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
export function createSseResponse(options: SseResponseOptions): SseResponse {
  const { res } = options;
  res.socket?.setNoDelay(true);
  let wroteSinceTick = false;
  let keepAlive: NodeJS.Timeout | undefined;
  const deadline = setTimeout(() => {
    sendHeaders();
    res.flushHeaders();
  }, options.headerDeadlineMs);

  function sendHeaders(extra?: OutgoingHttpHeaders): void {
    if (response.headersSent) return;
    response.headersSent = true;
    clearTimeout(deadline);
    if (res.destroyed) return;
    res.writeHead(200, { ...sseHeaders, ...options.headers, ...extra });
    keepAlive = setInterval(() => {
      // Skip while a write is recent or the client is not reading: a keep-alive only matters on an idle line.
      if (wroteSinceTick || res.writableNeedDrain) {
        wroteSinceTick = false;
        return;
      }
      res.write(encodeSseComment('keep-alive'));
    }, options.keepAliveIntervalMs);
  }

  function dispose(): void {
    clearTimeout(deadline);
    if (keepAlive) clearInterval(keepAlive);
  }

  const response: SseResponse & { headersSent: boolean } = {
    // A data property, not a getter: V8 builds an object literal with a getter in dictionary mode, with a hidden class of
    // its own, ~0.4 KB more for every open stream (memory probe).
    headersSent: false,
    sendHeaders,
    write(text) {
      if (res.destroyed || res.writableEnded) return true;
      wroteSinceTick = true;
      return res.write(text);
    },
    drained() {
      return new Promise<void>((resolve) => {
        if (res.destroyed || !res.writableNeedDrain) return resolve();
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    },
    end(text) {
      dispose();
      if (res.destroyed || res.writableEnded) return;
      if (text) res.end(text);
      else res.end();
    },
    dispose,
  };
  return response;
}
