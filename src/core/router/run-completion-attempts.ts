import type { Provider } from '../providers/provider.js';
import type { AbortSignalLike } from '../resilience/abort-signal-like.js';
import type { Clock } from '../resilience/clock.js';
import { createStreamWatchdog } from '../resilience/stream-watchdog.js';
import type { ChatCompletion } from '../types/chat-chunk.js';
import type { ChatCompletionRequest } from '../types/chat-request.js';
import type { AttemptPlanner } from './create-attempt-planner.js';
import type { DeploymentMonitor } from './create-deployment-monitor.js';
import { followAbort } from './follow-abort.js';
import type { RouterEventEmitter } from './router-events.js';
import { toRunError } from './run-stream-attempts.js';

export interface CompletionAttemptsContext {
  requestId: string;
  request: ChatCompletionRequest;
  planner: AttemptPlanner;
  providers: ReadonlyMap<string, Provider>;
  monitor: DeploymentMonitor;
  events: RouterEventEmitter;
  clock: Clock;
  signal: AbortSignalLike;
  created: number;
}

/**
 * Non-streamed: the same breakers, retries, fallbacks and limits as a stream, without failover or hedging. A
 * non-streamed answer arrives whole, so one deadline applies per attempt: `timeouts.request_ms`.
 */
export async function runCompletionAttempts(context: CompletionAttemptsContext): Promise<ChatCompletion> {
  const { request, events, requestId, signal, planner, clock, monitor } = context;
  const startedAt = clock.now();
  try {
    for (;;) {
      const planned = await planner.next();
      if (!planned) throw planner.exhausted();
      const { deployment } = planned;
      // One controller per attempt, fed by the caller's signal and the watchdog (as a streamed attempt's).
      const attemptController = followAbort(signal);
      const watchdog = createStreamWatchdog({
        firstTokenMs: planned.settings.timeouts.requestMs,
        provider: deployment.providerName,
        clock,
        onTimeout: (error) => attemptController.abort(error),
      });
      const attemptSignal = attemptController.signal;
      monitor.requestStarted(deployment.key);
      try {
        const provider = context.providers.get(deployment.providerName)!;
        const result = await provider.complete({ model: deployment.model, request, signal: attemptSignal });
        planned.permit.success();
        monitor.headers(deployment.key, result.headers);
        const routing = {
          provider: deployment.providerName,
          model: deployment.model,
          deployment: deployment.key,
          attempts: planner.attempts,
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
          durationMs: clock.now() - startedAt,
          attempts: planner.attempts,
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
        const verdict = planner.failed(planned, toRunError(error, attemptSignal));
        if (verdict.action === 'stop') throw verdict.error;
      } finally {
        watchdog.stop();
        monitor.requestEnded(deployment.key);
      }
    }
  } catch (error) {
    const finalError = toRunError(error, signal);
    events.emit({
      type: 'request-end',
      requestId,
      requestedModel: request.model,
      stream: false,
      outcome: finalError.code === 'CANCELLED' ? 'cancelled' : 'error',
      durationMs: clock.now() - startedAt,
      attempts: planner.attempts,
      failovers: 0,
      hedged: false,
      error: finalError,
    });
    throw finalError;
  }
}
