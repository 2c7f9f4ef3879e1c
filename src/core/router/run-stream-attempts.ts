import type { CircuitBreakerError } from '../errors/circuit-breaker-error.js';
import type { Provider } from '../providers/provider.js';
import { abortReasonToError } from '../providers/shared/abort-reason-to-error.js';
import type { ChatCompletionChunk } from '../types/chat-chunk.js';
import type { ChatCompletionRequest } from '../types/chat-request.js';
import { isContentPart } from '../types/stream-part.js';
import type { StreamRunState } from './chat-completion-stream.js';
import { createChunkBuilder } from './create-chunk-builder.js';
import type { Deployment } from './resolve-model.js';
import type { RouterEventEmitter } from './router-events.js';
import { toCircuitBreakerError } from './to-circuit-breaker-error.js';

export interface StreamAttemptsContext {
  requestId: string;
  request: ChatCompletionRequest;
  candidates: Deployment[];
  providers: ReadonlyMap<string, Provider>;
  events: RouterEventEmitter;
  signal: AbortSignal;
  state: StreamRunState;
  created: number;
}

/**
 * Tries the candidate deployments in order until one produces content. Before the first content nothing reaches
 * the caller, so a failure there moves on invisibly; after it, an error ends the stream.
 */
export async function* runStreamAttempts(context: StreamAttemptsContext): AsyncGenerator<ChatCompletionChunk> {
  const { request, events, requestId, signal } = context;
  const startedAt = Date.now();
  let attempts = 0;
  let lastError: CircuitBreakerError | undefined;
  let servedDeployment: Deployment | undefined;
  let timeToFirstTokenMs: number | undefined;
  let outcome: 'success' | 'error' | 'cancelled' = 'error';
  let finalError: CircuitBreakerError | undefined;
  try {
    for (const deployment of context.candidates) {
      if (signal.aborted) throw abortReasonToError(signal.reason);
      attempts++;
      events.emit({ type: 'attempt-start', requestId, deployment: deployment.key, attempt: attempts });
      const builder = createChunkBuilder({ id: requestId, model: request.model, created: context.created });
      let started = false;
      try {
        const provider = context.providers.get(deployment.providerName)!;
        const upstream = await provider.stream({
          model: deployment.model,
          request,
          signal,
          onMalformedEvent: (info) => events.emit({ type: 'malformed-event', provider: info.provider }),
        });
        for await (const part of upstream.parts) {
          if (!started) {
            if (!isContentPart(part)) {
              builder.push(part);
              continue;
            }
            started = true;
            servedDeployment = deployment;
            timeToFirstTokenMs = Date.now() - startedAt;
            context.state.servedBy = {
              provider: deployment.providerName,
              model: deployment.model,
              deployment: deployment.key,
              attempts,
            };
            events.emit({ type: 'first-token', requestId, deployment: deployment.key, timeToFirstTokenMs });
          }
          const chunk = builder.push(part);
          if (chunk) yield chunk;
        }
        if (!started) {
          servedDeployment = deployment;
          context.state.servedBy = {
            provider: deployment.providerName,
            model: deployment.model,
            deployment: deployment.key,
            attempts,
          };
        }
        context.state.usage = builder.usage;
        const includeUsage = request.stream_options?.include_usage === true;
        const closing = builder.finish({ includeUsage, routing: context.state.servedBy });
        outcome = 'success';
        for (const chunk of closing) yield chunk;
        return;
      } catch (error) {
        const failure = signal.aborted ? abortReasonToError(signal.reason) : toCircuitBreakerError(error);
        events.emit({
          type: 'attempt-failure',
          requestId,
          deployment: deployment.key,
          attempt: attempts,
          error: failure,
        });
        if (started || signal.aborted || !failure.retryable) throw failure;
        lastError = failure;
      }
    }
    throw lastError ?? toCircuitBreakerError(new Error('No deployment to try'));
  } catch (error) {
    finalError = toCircuitBreakerError(error);
    if (finalError.code === 'CANCELLED') outcome = 'cancelled';
    throw finalError;
  } finally {
    if (signal.aborted && outcome === 'error') outcome = 'cancelled';
    events.emit({
      type: 'request-end',
      requestId,
      requestedModel: request.model,
      deployment: servedDeployment?.key,
      provider: servedDeployment?.providerName,
      stream: true,
      outcome,
      usage: context.state.usage,
      timeToFirstTokenMs,
      durationMs: Date.now() - startedAt,
      attempts,
      failovers: 0,
      hedged: false,
      error: outcome === 'success' ? undefined : finalError,
    });
  }
}
