import type { CircuitBreakerError } from '../errors/circuit-breaker-error.js';
import type { Continuation, Provider } from '../providers/provider.js';
import { abortReasonToError } from '../providers/shared/abort-reason-to-error.js';
import type { AbortSignalLike } from '../resilience/abort-signal-like.js';
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
  readonly held: readonly StreamPart[];
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
  /** The stream's abort: the attempt's own controller follows it. */
  signal: AbortSignalLike;
  clock: Clock;
  monitor: DeploymentMonitor;
  events: RouterEventEmitter;
}

/** The `held` of an attempt that held nothing (never written to). */
const noParts: StreamPart[] = [];

/** Starts one upstream stream under its watchdog (connect, first-token, idle, throughput floor). */
export function startStreamAttempt(options: StartStreamAttemptOptions): StreamAttempt {
  return new UpstreamStreamAttempt(options);
}

/**
 * A class rather than an object literal of closures: the live attempt is held for the whole stream, and a closure
 * per method with their shared context cost ~0.9 KB per open stream (memory probe); fields and prototype methods
 * a fraction of that. The watchdog's `onTimeout` and the malformed-event hook are the only closures left.
 */
class UpstreamStreamAttempt implements StreamAttempt {
  readonly planned: PlannedAttempt;
  readonly watchdog: StreamWatchdog;
  readonly signal: AbortSignal;
  /** Made with the first part: an empty array's first push reserves 17 slots (~0.15 KB) for the usual one or two. */
  held: StreamPart[] = noParts;
  first: StreamPart | undefined = undefined;
  iterator: AsyncIterator<StreamPart> | undefined = undefined;
  readonly ready: Promise<StreamAttempt>;
  readonly startedAt: number;
  /** One controller per attempt, fed by the caller's signal and the watchdog. */
  readonly #own: AbortController;
  readonly #monitor: DeploymentMonitor;
  #closed = false;

  constructor(options: StartStreamAttemptOptions) {
    const { planned, clock } = options;
    const timeouts = planned.settings.timeouts;
    const own = followAbort(options.signal);
    this.planned = planned;
    this.#own = own;
    this.#monitor = options.monitor;
    this.signal = own.signal;
    this.watchdog = createStreamWatchdog({
      connectMs: timeouts.connectMs,
      firstTokenMs: timeouts.firstTokenMs,
      idleMs: timeouts.idleMs,
      minTokensPerSecond: timeouts.minTokensPerSecond,
      probeWindowMs: timeouts.probeWindowMs,
      provider: planned.deployment.providerName,
      clock,
      onTimeout: (error) => own.abort(error),
    });
    this.startedAt = clock.now();
    options.monitor.requestStarted(planned.deployment.key);
    this.ready = this.#run(options).catch((error: unknown) => {
      throw this.toError(error);
    });
    // The runner may be waiting on another attempt when this one fails: never an unhandled rejection.
    this.ready.catch(() => {});
  }

  toError(error: unknown): CircuitBreakerError {
    return this.signal.aborted ? abortReasonToError(this.signal.reason) : toCircuitBreakerError(error);
  }

  abandon(reason: CircuitBreakerError): void {
    this.#own.abort(reason);
    this.iterator?.return?.().catch(() => {});
    this.planned.permit.release();
    this.close();
  }

  succeed(): void {
    this.planned.permit.success();
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.watchdog.stop();
    this.#monitor.requestEnded(this.planned.deployment.key);
  }

  async #run(options: StartStreamAttemptOptions): Promise<StreamAttempt> {
    const { deployment } = this.planned;
    const { events } = options;
    const upstream = await options.provider.stream({
      model: deployment.model,
      request: options.request,
      signal: this.signal,
      continuation: options.continuation,
      onMalformedEvent: (info) => events.emit({ type: 'malformed-event', provider: info.provider }),
    });
    this.watchdog.markConnected();
    this.#monitor.headers(deployment.key, upstream.headers);
    const iterator = upstream.parts[Symbol.asyncIterator]();
    this.iterator = iterator;
    for (;;) {
      const result = await iterator.next();
      if (result.done) return this;
      if (isContentPart(result.value)) {
        this.watchdog.markContent();
        this.first = result.value;
        this.#monitor.firstToken(deployment.key, options.clock.now() - this.startedAt);
        return this;
      }
      if (this.held === noParts) this.held = [result.value];
      else this.held.push(result.value);
    }
  }
}
