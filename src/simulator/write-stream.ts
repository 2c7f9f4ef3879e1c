import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { PacingScheduler } from './pacing-scheduler.js';
import type { StreamRendering } from './protocols/protocol.js';
import { recordAbort, type SimulatorStats } from './simulator-stats.js';
import type { Fault, SimulatorProtocol } from './simulator-types.js';

/** What a response writer needs besides the bytes. */
export interface WriteContext {
  response: ServerResponse;
  scheduler: PacingScheduler;
  stats: SimulatorStats;
  protocol: SimulatorProtocol;
  model: string;
  /** `performance.now()` when the request arrived. */
  receivedAt: number;
  ttftMs: number;
  /** 0 = unpaced. */
  tokensPerSecond: number;
  /** An in-stream fault (`status`-like faults never reach a writer). */
  fault: Fault | undefined;
}

/** How often the unpaced loop yields to the event loop, in tokens. */
const UNPACED_YIELD_EVERY = 64;

/**
 * Tracks the response's life: a `close` before the writer ended it is a client abort, recorded with the time since
 * the last token written. Returns the controls the writer uses.
 */
export function trackResponse(context: WriteContext, streamed: boolean) {
  const { response, stats } = context;
  let ended = false;
  let lastTokenAt = context.receivedAt;
  let tokensWritten = 0;
  if (streamed) stats.activeStreams++;
  const settle = () => {
    ended = true;
    if (streamed) stats.activeStreams--;
  };
  response.on('close', () => {
    if (ended) return;
    settle();
    const now = performance.now();
    recordAbort(stats, {
      at: performance.timeOrigin + now,
      sinceLastTokenMs: now - lastTokenAt,
      tokensWritten,
      protocol: context.protocol,
      model: context.model,
    });
  });
  return {
    get ended() {
      return ended;
    },
    get tokensWritten() {
      return tokensWritten;
    },
    /** Writes one token; false when the socket buffer is full (wait for `drain`). */
    writeToken(chunk: string | Buffer): boolean {
      const flushed = response.write(chunk);
      tokensWritten++;
      stats.tokensWritten++;
      lastTokenAt = performance.now();
      return flushed;
    },
    /** Ends normally (counted as completed) with optional final bytes. */
    complete(final?: string | Buffer): void {
      if (ended) return;
      settle();
      stats.completed++;
      response.end(final);
    },
    /** Ends on purpose without completing: an in-stream error, or a dropped socket. */
    endByFault(final: string | Buffer | undefined, destroy: boolean): void {
      if (ended) return;
      settle();
      if (!destroy) {
        response.end(final);
        return;
      }
      // Node corks the socket for the rest of the tick in which a response writes, and destroying discards what is
      // still corked: destroy only once the tokens already written have been handed to the kernel.
      const socket = response.socket;
      if (socket === null || socket.destroyed) return;
      socket.write(Buffer.alloc(0), () => socket.destroy());
    },
  };
}

/**
 * Writes a streamed answer: headers and prelude at once, the first token after `ttftMs`, then one `res.write` per
 * token paced at `tokensPerSecond` by the shared scheduler (or as fast as the socket drains when 0), then the
 * trailer. In-stream faults cut in after their token count. Stops the moment the client disconnects.
 */
export function writeStream(context: WriteContext, rendering: StreamRendering): void {
  const { response, fault } = context;
  const tracker = trackResponse(context, true);
  response.writeHead(200, rendering.headers);
  if (fault?.kind === 'stall_before') {
    response.flushHeaders();
    return;
  }
  if (rendering.prelude.length > 0) response.write(rendering.prelude);
  else response.flushHeaders();

  const { tokens } = rendering;
  const limit = fault && 'afterTokens' in fault ? fault.afterTokens : Number.POSITIVE_INFINITY;
  let needsDrain = false;
  /** Writes the next token (or the end); false when the stream is over or stalled. */
  const step = (): boolean => {
    if (tracker.ended) return false;
    const written = tracker.tokensWritten;
    if (written < tokens.length && written < limit) needsDrain = !tracker.writeToken(tokens.at(written)!);
    if (tracker.tokensWritten >= limit) {
      if (fault?.kind === 'drop_after') tracker.endByFault(undefined, true);
      else if (fault?.kind === 'error_after') tracker.endByFault(rendering.errorEvent, false);
      // stall_after: keep the socket open and silent until the client gives up.
      return false;
    }
    if (tracker.tokensWritten >= tokens.length) {
      tracker.complete(rendering.trailer);
      return false;
    }
    return true;
  };

  const firstTokenAt = performance.now() + context.ttftMs;
  if (context.tokensPerSecond > 0) {
    const intervalMs = 1000 / context.tokensPerSecond;
    // Due times are absolute (first + n × interval), so scheduler jitter never accumulates into drift.
    const paced = () => {
      if (step()) context.scheduler.schedule(firstTokenAt + tracker.tokensWritten * intervalMs, paced);
    };
    context.scheduler.schedule(firstTokenAt, paced);
    return;
  }
  const unpaced = async () => {
    while (step()) {
      if (needsDrain) {
        await waitForDrain(response);
        needsDrain = false;
      } else if (tracker.tokensWritten % UNPACED_YIELD_EVERY === 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  };
  if (context.ttftMs > 0) context.scheduler.schedule(firstTokenAt, () => void unpaced());
  else void unpaced();
}

function waitForDrain(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.on('drain', done);
    response.on('close', done);
  });
}
