import type { CircuitBreakerError } from '../errors/circuit-breaker-error.js';
import { TooSlowError } from '../errors/resilience-errors.js';
import { UpstreamTimeoutError } from '../errors/upstream-errors.js';
import type { Clock, TimerHandle } from './clock.js';

/** Options of {@link createStreamWatchdog}; every limit is optional (undefined = not enforced). */
export interface StreamWatchdogOptions {
  /** Until `markConnected` (response headers), from creation. */
  connectMs?: number;
  /** Until the first content part, from creation (time to first token, as the stats measure it). */
  firstTokenMs?: number;
  /** Longest gap between content parts once content flows. */
  idleMs?: number;
  /** Throughput floor (the model's `min_tokens_per_s`), checked over each `probeWindowMs` after first content. */
  minTokensPerSecond?: number;
  /** Length of each throughput measurement; default 5000 ms. */
  probeWindowMs?: number;
  provider?: string;
  clock: Clock;
  /** Called once, with the typed error, when a limit is broken. `signal` aborts with the same error. */
  onTimeout?: (error: CircuitBreakerError) => void;
}

/** A running watchdog. */
export interface StreamWatchdog {
  /** The upstream answered (headers arrived): the connect limit no longer applies. */
  markConnected(): void;
  /** A content part arrived (`isContentPart`); `tokens` is its size estimate. Constant time, no timer work. */
  markContent(tokens?: number): void;
  /** The stream ended or was abandoned: stops the timer. Idempotent. */
  stop(): void;
  /** Aborts with the timeout error as its reason; pass it to the upstream fetch. */
  readonly signal: AbortSignal;
}

/**
 * Watches one upstream attempt for the four ways a stream goes bad without an error: no connection, no first
 * token, a stall between tokens, and a trickle below the throughput floor. Breaches become
 * `UpstreamTimeoutError` (kind `connect` / `first_token` / `idle`) or `TooSlowError`, delivered through
 * `onTimeout` and as the abort reason of `signal`.
 *
 * Cheap per token: `markContent` only stores a time and adds to a counter. A single timer is armed for the
 * earliest deadline; when it fires it recomputes the deadlines from the stored times and re-arms itself if
 * nothing is due yet (so a busy stream costs one timer wake-up per `idleMs`, not one timer per token).
 */
export function createStreamWatchdog(options: StreamWatchdogOptions): StreamWatchdog {
  const { clock, connectMs, firstTokenMs, idleMs, minTokensPerSecond, provider } = options;
  const probeWindowMs = options.probeWindowMs ?? 5000;
  // Made on first use of `signal`: the stream runner aborts its own controller from `onTimeout` instead, and an
  // AbortController per attempt that nobody listens to is wasted work on every request.
  let controller: AbortController | undefined;
  let breached: CircuitBreakerError | undefined;
  const startedAt = clock.now();
  let connected = false;
  let firstContentAt: number | undefined;
  let lastContentAt = 0;
  let tokens = 0;
  let probeStartAt = 0;
  let probeStartTokens = 0;
  let timer: TimerHandle | undefined;
  let stopped = false;

  function nextDeadline(): number | undefined {
    const deadlines: number[] = [];
    if (firstContentAt === undefined) {
      if (!connected && connectMs !== undefined) deadlines.push(startedAt + connectMs);
      if (firstTokenMs !== undefined) deadlines.push(startedAt + firstTokenMs);
    } else {
      if (idleMs !== undefined) deadlines.push(lastContentAt + idleMs);
      if (minTokensPerSecond !== undefined) deadlines.push(probeStartAt + probeWindowMs);
    }
    return deadlines.length === 0 ? undefined : Math.min(...deadlines);
  }

  function breach(now: number): CircuitBreakerError | undefined {
    if (firstContentAt === undefined) {
      if (!connected && connectMs !== undefined && now >= startedAt + connectMs) {
        return new UpstreamTimeoutError({ kind: 'connect', timeoutMs: connectMs, provider });
      }
      if (firstTokenMs !== undefined && now >= startedAt + firstTokenMs) {
        return new UpstreamTimeoutError({ kind: 'first_token', timeoutMs: firstTokenMs, provider });
      }
      return undefined;
    }
    if (idleMs !== undefined && now >= lastContentAt + idleMs) {
      return new UpstreamTimeoutError({ kind: 'idle', timeoutMs: idleMs, provider });
    }
    if (minTokensPerSecond !== undefined && now >= probeStartAt + probeWindowMs) {
      const tokensPerSecond = ((tokens - probeStartTokens) * 1000) / (now - probeStartAt);
      if (tokensPerSecond < minTokensPerSecond)
        return new TooSlowError({ tokensPerSecond, minTokensPerSecond, provider });
      probeStartAt = now;
      probeStartTokens = tokens;
    }
    return undefined;
  }

  function arm(): void {
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
    if (stopped) return;
    const deadline = nextDeadline();
    if (deadline !== undefined) timer = clock.setTimeout(check, Math.max(0, deadline - clock.now()));
  }

  function check(): void {
    timer = undefined;
    if (stopped) return;
    const error = breach(clock.now());
    if (!error) {
      arm();
      return;
    }
    stop();
    breached = error;
    options.onTimeout?.(error);
    controller?.abort(error);
  }

  function stop(): void {
    stopped = true;
    if (timer !== undefined) clock.clearTimeout(timer);
    timer = undefined;
  }

  arm();

  return {
    markConnected() {
      if (connected || stopped) return;
      connected = true;
      // Only re-arm when the connect deadline was the one armed; otherwise the armed timer is still right.
      if (connectMs !== undefined && firstContentAt === undefined) arm();
    },
    markContent(count = 1) {
      if (stopped) return;
      const now = clock.now();
      tokens += count;
      lastContentAt = now;
      if (firstContentAt === undefined) {
        connected = true;
        firstContentAt = now;
        probeStartAt = now;
        probeStartTokens = tokens;
        arm();
      }
    },
    stop,
    get signal() {
      if (!controller) {
        controller = new AbortController();
        if (breached) controller.abort(breached);
      }
      return controller.signal;
    },
  };
}
