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
  /** Called once, with the typed error, when a limit is broken (the caller aborts its attempt with it). */
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
}

/**
 * Watches one upstream attempt for the four ways a stream goes bad without an error: no connection, no first
 * token, a stall between tokens, and a trickle below the throughput floor. Breaches become
 * `UpstreamTimeoutError` (kind `connect` / `first_token` / `idle`) or `TooSlowError`, delivered through
 * `onTimeout`.
 *
 * Cheap per token: `markContent` only stores a time and adds to a counter. A single timer is armed for the
 * earliest deadline; when it fires it recomputes the deadlines from the stored times and re-arms itself if
 * nothing is due yet (so a busy stream costs one timer wake-up per `idleMs`, not one timer per token).
 */
export function createStreamWatchdog(options: StreamWatchdogOptions): StreamWatchdog {
  return new TimerStreamWatchdog(options);
}

/**
 * A class rather than an object literal of closures: an attempt holds its watchdog for its whole life, and a closure
 * per method, their context and the getter's dictionary-mode object cost ~1.2 KB per open stream (memory probe);
 * fields and prototype methods a fraction of that.
 */
class TimerStreamWatchdog implements StreamWatchdog {
  readonly #options: StreamWatchdogOptions;
  readonly #clock: Clock;
  readonly #probeWindowMs: number;
  readonly #startedAt: number;
  #connected = false;
  #firstContentAt: number | undefined = undefined;
  #lastContentAt = 0;
  #tokens = 0;
  #probeStartAt = 0;
  #probeStartTokens = 0;
  #timer: TimerHandle | undefined = undefined;
  #stopped = false;
  /** The timer's callback, made once (not a new closure per re-arm). */
  readonly #check = () => this.#onTimer();

  constructor(options: StreamWatchdogOptions) {
    this.#options = options;
    this.#clock = options.clock;
    this.#probeWindowMs = options.probeWindowMs ?? 5000;
    this.#startedAt = options.clock.now();
    this.#arm();
  }

  markConnected(): void {
    if (this.#connected || this.#stopped) return;
    this.#connected = true;
    // Only re-arm when the connect deadline was the one armed; otherwise the armed timer is still right.
    if (this.#options.connectMs !== undefined && this.#firstContentAt === undefined) this.#arm();
  }

  markContent(count = 1): void {
    if (this.#stopped) return;
    const now = this.#clock.now();
    this.#tokens += count;
    this.#lastContentAt = now;
    if (this.#firstContentAt === undefined) {
      this.#connected = true;
      this.#firstContentAt = now;
      this.#probeStartAt = now;
      this.#probeStartTokens = this.#tokens;
      this.#arm();
    }
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #nextDeadline(): number | undefined {
    const { connectMs, firstTokenMs, idleMs, minTokensPerSecond } = this.#options;
    let deadline = Number.POSITIVE_INFINITY;
    if (this.#firstContentAt === undefined) {
      if (!this.#connected && connectMs !== undefined) deadline = Math.min(deadline, this.#startedAt + connectMs);
      if (firstTokenMs !== undefined) deadline = Math.min(deadline, this.#startedAt + firstTokenMs);
    } else {
      if (idleMs !== undefined) deadline = Math.min(deadline, this.#lastContentAt + idleMs);
      if (minTokensPerSecond !== undefined) deadline = Math.min(deadline, this.#probeStartAt + this.#probeWindowMs);
    }
    return deadline === Number.POSITIVE_INFINITY ? undefined : deadline;
  }

  #breach(now: number): CircuitBreakerError | undefined {
    const { connectMs, firstTokenMs, idleMs, minTokensPerSecond, provider } = this.#options;
    const startedAt = this.#startedAt;
    if (this.#firstContentAt === undefined) {
      if (!this.#connected && connectMs !== undefined && now >= startedAt + connectMs) {
        return new UpstreamTimeoutError({ kind: 'connect', timeoutMs: connectMs, provider });
      }
      if (firstTokenMs !== undefined && now >= startedAt + firstTokenMs) {
        return new UpstreamTimeoutError({ kind: 'first_token', timeoutMs: firstTokenMs, provider });
      }
      return undefined;
    }
    if (idleMs !== undefined && now >= this.#lastContentAt + idleMs) {
      return new UpstreamTimeoutError({ kind: 'idle', timeoutMs: idleMs, provider });
    }
    if (minTokensPerSecond !== undefined && now >= this.#probeStartAt + this.#probeWindowMs) {
      const tokensPerSecond = ((this.#tokens - this.#probeStartTokens) * 1000) / (now - this.#probeStartAt);
      if (tokensPerSecond < minTokensPerSecond)
        return new TooSlowError({ tokensPerSecond, minTokensPerSecond, provider });
      this.#probeStartAt = now;
      this.#probeStartTokens = this.#tokens;
    }
    return undefined;
  }

  #arm(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stopped) return;
    const deadline = this.#nextDeadline();
    if (deadline !== undefined)
      this.#timer = this.#clock.setTimeout(this.#check, Math.max(0, deadline - this.#clock.now()));
  }

  #onTimer(): void {
    this.#timer = undefined;
    if (this.#stopped) return;
    const error = this.#breach(this.#clock.now());
    if (!error) {
      this.#arm();
      return;
    }
    this.stop();
    this.#options.onTimeout?.(error);
  }
}
