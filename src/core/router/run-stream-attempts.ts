import { CircuitBreakerError } from '../errors/circuit-breaker-error.js';
import { CancelledError } from '../errors/request-errors.js';
import { abortReasonToError } from '../providers/shared/abort-reason-to-error.js';
import { readyPartsOf } from '../providers/shared/read-stream-parts.js';
import type { AbortSignalLike } from '../resilience/abort-signal-like.js';
import type { ChatCompletionChunk, RoutingMetadata } from '../types/chat-chunk.js';
import { isContentPart, type StreamPart } from '../types/stream-part.js';
import { awaitFirstContent } from './await-first-content.js';
import type { StreamRunState } from './chat-completion-stream.js';
import type { PlannedAttempt } from './create-attempt-planner.js';
import { createChunkBuilder } from './create-chunk-builder.js';
import { DeliveredText } from './delivered-text.js';
import type { CompletionAttemptsContext } from './run-completion-attempts.js';
import { type StreamAttempt, startStreamAttempt } from './start-stream-attempt.js';
import { toCircuitBreakerError } from './to-circuit-breaker-error.js';

/** What a non-streamed run needs, plus the stream object's state that the run reports into. */
export interface StreamAttemptsContext extends CompletionAttemptsContext {
  state: StreamRunState;
}

/**
 * The streamed request: attempts (retries, fallbacks, hedging) until one produces content, then its chunks as
 * they come. Before the first content nothing reaches the caller, so failures there stay invisible. After it,
 * a failure fails over (unless turned off, or a tool call has started): the next healthy deployment continues
 * from the text delivered so far, and the caller sees one uninterrupted stream. With nothing left, the stream
 * ends with the error. The per-part path does no timer work and allocates nothing beyond the chunk. It yields the
 * chunks of one upstream network read as one array (ChatCompletionStream hands them out one by one): one generator
 * hop per read instead of one per chunk.
 */
export async function* runStreamAttempts(
  context: StreamAttemptsContext,
): AsyncGenerator<readonly ChatCompletionChunk[]> {
  const { request, events, requestId, signal, planner, clock, monitor } = context;
  const startedAt = clock.now();
  const builder = createChunkBuilder({ id: requestId, model: request.model, created: context.created });
  const delivered = new DeliveredText();
  let toolCallStarted = false;
  let failovers = 0;
  let hedged = false;
  let live: StreamAttempt | undefined;
  let timeToFirstTokenMs: number | undefined;
  let outcome: 'success' | 'error' | 'cancelled' = 'error';
  let finalError: CircuitBreakerError | undefined;

  const start = (planned: PlannedAttempt, assistantText?: string): StreamAttempt =>
    startStreamAttempt({
      planned,
      provider: context.providers.get(planned.deployment.providerName)!,
      request,
      continuation: assistantText ? { assistantText } : undefined,
      signal,
      clock,
      monitor,
      events,
    });
  /** One part into the batch of chunks for the caller, noting what failover needs to know. */
  const deliver = (part: StreamPart, batch: ChatCompletionChunk[]): void => {
    if (part.type === 'text-delta') delivered.push(part.text);
    else if (part.type === 'tool-call-start') toolCallStarted = true;
    const chunk = builder.push(part);
    if (chunk) batch.push(chunk);
  };
  const serve = (attempt: StreamAttempt): void => {
    const { deployment } = attempt.planned;
    const routing: RoutingMetadata = {
      provider: deployment.providerName,
      model: deployment.model,
      deployment: deployment.key,
      attempts: planner.attempts,
    };
    if (failovers > 0) routing.failovers = failovers;
    if (hedged) routing.hedged = true;
    context.state.servedBy = routing;
  };

  try {
    const first = await awaitFirstContent({ requestId, planner, start, monitor, events, clock, hedge: true });
    live = first.attempt;
    hedged = first.hedged;
    serve(live);
    if (live.first) {
      timeToFirstTokenMs = clock.now() - startedAt;
      events.emit({ type: 'first-token', requestId, deployment: live.planned.deployment.key, timeToFirstTokenMs });
    }
    for (;;) {
      const attempt: StreamAttempt = live;
      try {
        let batch: ChatCompletionChunk[] = [];
        for (const part of attempt.held) {
          const chunk = builder.push(part);
          if (chunk) batch.push(chunk);
        }
        const iterator = attempt.iterator;
        if (attempt.first && iterator) {
          const ready = readyPartsOf(iterator);
          let part: StreamPart = attempt.first;
          // Content parts of the current read not yet marked on the watchdog (the attempt marked its first part).
          let content = 0;
          for (;;) {
            deliver(part, batch);
            // The rest of this network read's parts, without a promise each (none when not from readStreamParts),
            // and one clock read for the watchdog per read rather than per part.
            for (let next = ready?.takeReadyPart(); next !== undefined; next = ready?.takeReadyPart()) {
              if (isContentPart(next)) content++;
              deliver(next, batch);
            }
            if (content > 0) attempt.watchdog.markContent(content);
            // Yielded before the next read: a read's chunks leave together, and before an error that read raised.
            if (batch.length > 0) {
              yield batch;
              batch = [];
            }
            const result = await iterator.next();
            if (result.done) break;
            part = result.value;
            content = isContentPart(part) ? 1 : 0;
          }
        }
        if (batch.length > 0) yield batch;
        attempt.succeed();
        // Nothing is live any more: the finally block has nothing to abandon (no CancelledError built on every
        // successful request, and no abort of the signal of an attempt that succeeded).
        live = undefined;
        break;
      } catch (error) {
        const failure = attempt.toError(error);
        attempt.close();
        live = undefined;
        const canFailover = planner.primary.midstreamFailover && !toolCallStarted;
        const verdict = planner.failed(attempt.planned, failure, { retry: false, failover: canFailover });
        if (verdict.action === 'stop' || !canFailover) throw failure;
        live = await failOver(attempt, failure);
      }
    }
    context.state.usage = builder.usage;
    const closing = builder.finish({
      includeUsage: request.stream_options?.include_usage === true,
      routing: context.state.servedBy,
    });
    outcome = 'success';
    if (closing.length > 0) yield closing;
  } catch (error) {
    finalError = toRunError(error, signal);
    if (finalError.code === 'CANCELLED') outcome = 'cancelled';
    throw finalError;
  } finally {
    // The consumer stopped reading (or the run threw): abort whatever is still streaming.
    live?.abandon(new CancelledError('The consumer stopped reading.'));
    if (signal.aborted && outcome === 'error') outcome = 'cancelled';
    events.emit({
      type: 'request-end',
      requestId,
      requestedModel: request.model,
      deployment: context.state.servedBy?.deployment,
      provider: context.state.servedBy?.provider,
      stream: true,
      outcome,
      usage: context.state.usage,
      timeToFirstTokenMs,
      durationMs: clock.now() - startedAt,
      attempts: planner.attempts,
      failovers,
      hedged,
      error: outcome === 'success' ? undefined : finalError,
    });
  }

  /** Continues the stream elsewhere from the delivered text; with nothing healthy left, the original failure ends it. */
  async function failOver(broken: StreamAttempt, failure: CircuitBreakerError): Promise<StreamAttempt> {
    const assistantText = delivered.toString();
    let next: StreamAttempt;
    try {
      next = (
        await awaitFirstContent({
          requestId,
          planner,
          start: (planned) => start(planned, assistantText),
          monitor,
          events,
          clock,
          hedge: false,
        })
      ).attempt;
    } catch (error) {
      const reason = toCircuitBreakerError(error);
      throw reason.code === 'CANCELLED' ? reason : failure;
    }
    failovers++;
    events.emit({
      type: 'failover',
      requestId,
      from: broken.planned.deployment.key,
      to: next.planned.deployment.key,
      deliveredCharacters: assistantText.length,
    });
    serve(next);
    return next;
  }
}

/** What a run throws: our error as is; anything else is the abort reason when the caller aborted, else internal. */
export function toRunError(error: unknown, signal: AbortSignalLike): CircuitBreakerError {
  if (error instanceof CircuitBreakerError) return error;
  return signal.aborted ? abortReasonToError(signal.reason) : toCircuitBreakerError(error);
}
