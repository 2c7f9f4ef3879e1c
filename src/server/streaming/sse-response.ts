import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { encodeSseComment } from '../../core/sse/encode-sse.js';
import { flattenHeaderBlock } from './flatten-header-block.js';

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
 * comments follow while nothing else is written. Frames are written the moment they are handed over (the session
 * hands over one upstream read's frames at once, never holding one back for another), on a socket with Nagle off;
 * backpressure is the caller's `await drained()` when `write` says so.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html
 */
export function createSseResponse(options: SseResponseOptions): SseResponse {
  return new SseResponseWriter(options);
}

/**
 * A class rather than an object literal of closures: an open stream holds its writer, and fields with prototype
 * methods cost a fraction of a closure per method plus their shared context (memory probe).
 */
class SseResponseWriter implements SseResponse {
  headersSent = false;
  readonly #res: ServerResponse;
  /** Let go once written: an open stream need not hold them. */
  #headers: OutgoingHttpHeaders | undefined;
  readonly #keepAliveIntervalMs: number;
  #wroteSinceTick = false;
  #keepAlive: NodeJS.Timeout | undefined = undefined;
  /** Cleared (and let go) once the headers are out. */
  #deadline: NodeJS.Timeout | undefined;

  constructor(options: SseResponseOptions) {
    const res = options.res;
    this.#res = res;
    this.#headers = options.headers;
    this.#keepAliveIntervalMs = options.keepAliveIntervalMs;
    res.socket?.setNoDelay(true);
    this.#deadline = setTimeout(() => {
      this.sendHeaders();
      res.flushHeaders();
    }, options.headerDeadlineMs);
  }

  sendHeaders(extra?: OutgoingHttpHeaders): void {
    if (this.headersSent) return;
    this.headersSent = true;
    this.#clearDeadline();
    const res = this.#res;
    if (res.destroyed) return;
    // One writeHead with every header and no setHeader before (see RequestContext.idHeaders): Node then keeps no
    // stored-headers object for the response's life, only the header block.
    res.writeHead(200, { ...sseHeaders, ...this.#headers, ...extra });
    this.#headers = undefined;
    flattenHeaderBlock(res);
    this.#keepAlive = setInterval(() => {
      // Skip while a write is recent or the client is not reading: a keep-alive only matters on an idle line.
      if (this.#wroteSinceTick || res.writableNeedDrain) {
        this.#wroteSinceTick = false;
        return;
      }
      res.write(encodeSseComment('keep-alive'));
    }, this.#keepAliveIntervalMs);
  }

  write(text: string): boolean {
    const res = this.#res;
    if (res.destroyed || res.writableEnded) return true;
    this.#wroteSinceTick = true;
    return res.write(text);
  }

  drained(): Promise<void> {
    const res = this.#res;
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
  }

  end(text?: string): void {
    this.dispose();
    const res = this.#res;
    if (res.destroyed || res.writableEnded) return;
    if (text) res.end(text);
    else res.end();
  }

  dispose(): void {
    this.#clearDeadline();
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
  }

  #clearDeadline(): void {
    if (this.#deadline === undefined) return;
    clearTimeout(this.#deadline);
    this.#deadline = undefined;
  }
}
