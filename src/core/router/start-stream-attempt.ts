import type { CircuitBreakerError } from '../errors/circuit-breaker-error.js';
import type { Continuation, Provider } from '../providers/provider.js';
import { abortReasonToError } from '../providers/shared/abort-reason-to-error.js';
import type { Clock } from '../resilience/clock.js';
import { createStreamWatchdog, type StreamWatchdog } from '../resilience/stream-watchdog.js';
import type { ChatCompletionRequest } from '../types/chat-request.js';
import { isContentPart, type StreamPart } from '../types/stream-part.js';
import type { PlannedAttempt } from './create-attempt-planner.js';
import type { DeploymentMonitor } from './create-deployment-monitor.js';
import { followAbort } from './follow-abort.js';
import type { RouterEventEmitter } from './router-events.js';
import { toCircuitBreakerError } from './to-circuit-breaker-error.js';

/**
 * One upstream stream in flight. `ready` settles when the first content part arrives (or the stream ends
 * without any): until then parts are held in `held`, so a failure before real output stays invisible. After
 * that the winner's `iterator` is read directly by the runner; `watchdog.markContent` keeps the idle and
 * throughput limits informed.
 */
export interface StreamAttempt {
  readonly planned: PlannedAttempt;
  readonly watchdog: StreamWatchdog;
  readonly signal: AbortSignal;
  /** Non-content parts that came before the first content (role-only, metadata). */
  readonly held: StreamPart[];
  /** The first content part; undefined when the stream ended with none. */
  first: StreamPart | undefined;
  iterator: AsyncIterator<StreamPart> | undefined;
  /** Resolves with this attempt at its first content (or a content-less end); rejects with a typed error. */
  readonly ready: Promise<StreamAttempt>;
  readonly startedAt: number;
  /** Maps anything the upstream read throws to the typed error (the abort reason when the signal fired). */
  toError(error: unknown): CircuitBreakerError;
  /** Aborts the upstream request (hedge loser, caller gone) and frees the permit without a verdict. */
  abandon(reason: CircuitBreakerError): void;
  /** The stream ended properly: success on the breaker, stats updated. */
  succeed(): void;
  /** Stops the watchdog and lowers the in-flight count; the verdict goes through the planner. Idempotent. */
  close(): void;
}

export interface StartStreamAttemptOptions {
  planned: PlannedAttempt;
  provider: Provider;
  request: ChatCompletionRequest;
  continuation?: Continuation;
  signal: AbortSignal;
  clock: Clock;
  monitor: DeploymentMonitor;
  events: RouterEventEmitter;
}

/** Starts one upstream stream under its watchdog (connect, first-token, idle, throughput floor). */
export function startStreamAttempt(options: StartStreamAttemptOptions): StreamAttempt {
  const { planned, clock, monitor } = options;
  const { deployment, settings } = planned;
  const key = deployment.key;
  const timeouts = settings.timeouts;
  // One controller per attempt, fed by the caller's signal and the watchdog.
  const own = followAbort(options.signal);
  const signal = own.signal;
  const watchdog = createStreamWatchdog({
    connectMs: timeouts.connectMs,
    firstTokenMs: timeouts.firstTokenMs,
    idleMs: timeouts.idleMs,
    minTokensPerSecond: timeouts.minTokensPerSecond,
    probeWindowMs: timeouts.probeWindowMs,
    provider: deployment.providerName,
    clock,
    onTimeout: (error) => own.abort(error),
  });
  const startedAt = clock.now();
  let closed = false;
  monitor.requestStarted(key);

  const toError = (error: unknown): CircuitBreakerError =>
    signal.aborted ? abortReasonToError(signal.reason) : toCircuitBreakerError(error);

  const attempt: StreamAttempt = {
    planned,
    watchdog,
    signal,
    held: [],
    first: undefined,
    iterator: undefined,
    startedAt,
    ready: undefined as unknown as Promise<StreamAttempt>,
    toError,
    abandon(reason) {
      own.abort(reason);
      attempt.iterator?.return?.().catch(() => {});
      planned.permit.release();
      attempt.close();
    },
    succeed() {
      planned.permit.success();
      attempt.close();
    },
    close() {
      if (closed) return;
      closed = true;
      watchdog.stop();
      monitor.requestEnded(key);
    },
  };

  const run = async (): Promise<StreamAttempt> => {
    const upstream = await options.provider.stream({
      model: deployment.model,
      request: options.request,
      signal,
      continuation: options.continuation,
      onMalformedEvent: (info) => options.events.emit({ type: 'malformed-event', provider: info.provider }),
    });
    watchdog.markConnected();
    monitor.headers(key, upstream.headers);
    const iterator = upstream.parts[Symbol.asyncIterator]();
    attempt.iterator = iterator;
    for (;;) {
      const result = await iterator.next();
      if (result.done) return attempt;
      if (isContentPart(result.value)) {
        watchdog.markContent();
        attempt.first = result.value;
        monitor.firstToken(key, clock.now() - startedAt);
        return attempt;
      }
      attempt.held.push(result.value);
    }
  };
  (attempt as { ready: Promise<StreamAttempt> }).ready = run().catch((error: unknown) => {
    throw toError(error);
  });
  // The runner may be waiting on another attempt when this one fails: never an unhandled rejection.
  attempt.ready.catch(() => {});
  return attempt;
}
