import type { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';
import type { ChatCompletionStream } from '../../core/router/chat-completion-stream.js';
import type { ChatCompletionChunk } from '../../core/types/chat-chunk.js';
import { toGatewayError } from '../errors/gateway-errors.js';
import type { RequestContext } from '../request-context.js';
import { servedByHeaders } from './served-by-headers.js';
import { createSseResponse } from './sse-response.js';

/** A caller format's SSE framing of our chunk stream: each method returns ready SSE text ('' for nothing). */
export interface SseStreamEncoder {
  encodeChunk(chunk: ChatCompletionChunk): string;
  /** The closing frames after a clean end (`data: [DONE]`, `message_delta` + `message_stop`). */
  finish(): string;
  /** The in-stream error event for a failure after the headers went out. */
  error(error: CircuitBreakerError): string;
}

/**
 * Pumps a router stream into an SSE response. One chunk is pulled at a time, and not before the socket took the
 * previous one: when `write` reports a full buffer the loop waits for `drain`, so a client that stops reading
 * stops the upstream read too instead of making us buffer without bound. A failure before the headers went out is
 * rethrown (the route answers it as a clean HTTP error); after, it becomes the format's error event and the end.
 * A client that went away needs nothing: its disconnect already aborted the stream through the request signal.
 */
export async function streamToSse(
  context: RequestContext,
  stream: ChatCompletionStream,
  encoder: SseStreamEncoder,
): Promise<void> {
  const sse = createSseResponse({
    res: context.res,
    headerDeadlineMs: context.gateway.headerDeadlineMs,
    keepAliveIntervalMs: context.gateway.keepAliveIntervalMs,
  });
  const tap = context.tap;
  tap?.streamStart();
  try {
    for await (const chunk of stream) {
      if (!sse.headersSent) sse.sendHeaders(servedByHeaders(stream.servedBy));
      const text = encoder.encodeChunk(chunk);
      if (text.length > 0 && !sse.write(text)) await sse.drained();
      tap?.chunk(chunk);
    }
    if (!sse.headersSent) sse.sendHeaders(servedByHeaders(stream.servedBy));
    sse.end(encoder.finish());
  } catch (thrown) {
    const error = toGatewayError(thrown);
    if (context.clientGone) return;
    if (!sse.headersSent) throw error;
    context.recordError(error);
    sse.end(encoder.error(error));
  } finally {
    sse.dispose();
  }
}
