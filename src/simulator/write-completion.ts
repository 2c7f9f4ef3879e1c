import { performance } from 'node:perf_hooks';
import type { HttpReply } from './simulator-types.js';
import { trackResponse, type WriteContext } from './write-stream.js';

/**
 * Writes a non-streamed answer after the time the stream would have taken (`ttftMs` + tokens ÷ `tokensPerSecond`).
 * In-stream faults map to what a client of a non-streamed request would see: stalls never answer, `drop_after`
 * destroys the socket, `error_after` answers `errorReply` (the provider's overloaded/server error).
 */
export function writeCompletion(
  context: WriteContext,
  options: { reply: HttpReply; tokens: number; errorReply: HttpReply },
): void {
  const { fault } = context;
  const tracker = trackResponse(context, false);
  if (fault?.kind === 'stall_before' || fault?.kind === 'stall_after') return;
  const generationMs = context.tokensPerSecond > 0 ? (options.tokens / context.tokensPerSecond) * 1000 : 0;
  context.scheduler.schedule(performance.now() + context.ttftMs + generationMs, () => {
    if (tracker.ended) return;
    if (fault?.kind === 'drop_after') return tracker.endByFault(undefined, true);
    const reply = fault?.kind === 'error_after' ? options.errorReply : options.reply;
    context.response.writeHead(reply.status, reply.headers);
    if (reply === options.errorReply) tracker.endByFault(reply.body, false);
    else tracker.complete(reply.body);
  });
}
