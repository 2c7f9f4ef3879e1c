import type { CircuitBreakerError } from '../errors/circuit-breaker-error.js';
import type { Provider } from '../providers/provider.js';
import { abortReasonToError } from '../providers/shared/abort-reason-to-error.js';
import type { ChatCompletion } from '../types/chat-chunk.js';
import type { ChatCompletionRequest } from '../types/chat-request.js';
import type { Deployment } from './resolve-model.js';
import type { RouterEventEmitter } from './router-events.js';
import { toCircuitBreakerError } from './to-circuit-breaker-error.js';

export interface CompletionAttemptsContext {
  requestId: string;
  request: ChatCompletionRequest;
  candidates: Deployment[];
  providers: ReadonlyMap<string, Provider>;
  events: RouterEventEmitter;
  signal: AbortSignal;
  created: number;
}

/** Non-streamed: tries the candidates in order; a retryable failure moves on, a caller error ends at once. */
export async function runCompletionAttempts(context: CompletionAttemptsContext): Promise<ChatCompletion> {
  const { request, events, requestId, signal } = context;
  const startedAt = Date.now();
  let attempts = 0;
  let lastError: CircuitBreakerError | undefined;
  for (const deployment of context.candidates) {
    if (signal.aborted) throw abortReasonToError(signal.reason);
    attempts++;
    events.emit({ type: 'attempt-start', requestId, deployment: deployment.key, attempt: attempts });
    try {
      const provider = context.providers.get(deployment.providerName)!;
      const result = await provider.complete({ model: deployment.model, request, signal });
      const routing = {
        provider: deployment.providerName,
        model: deployment.model,
        deployment: deployment.key,
        attempts,
      };
      events.emit({
        type: 'request-end',
        requestId,
        requestedModel: request.model,
        deployment: deployment.key,
        provider: deployment.providerName,
        stream: false,
        outcome: 'success',
        usage: result.usage,
        durationMs: Date.now() - startedAt,
        attempts,
        failovers: 0,
        hedged: false,
      });
      return {
        id: requestId,
        object: 'chat.completion',
        created: context.created,
        model: request.model,
        choices: [{ index: 0, message: result.message, finish_reason: result.finishReason, logprobs: null }],
        usage: result.usage,
        circuit_breaker: routing,
      };
    } catch (error) {
      const failure = signal.aborted ? abortReasonToError(signal.reason) : toCircuitBreakerError(error);
      events.emit({
        type: 'attempt-failure',
        requestId,
        deployment: deployment.key,
        attempt: attempts,
        error: failure,
      });
      lastError = failure;
      if (signal.aborted || !failure.retryable) break;
    }
  }
  const finalError = lastError ?? toCircuitBreakerError(new Error('No deployment to try'));
  events.emit({
    type: 'request-end',
    requestId,
    requestedModel: request.model,
    stream: false,
    outcome: finalError.code === 'CANCELLED' ? 'cancelled' : 'error',
    durationMs: Date.now() - startedAt,
    attempts,
    failovers: 0,
    hedged: false,
    error: finalError,
  });
  throw finalError;
}
