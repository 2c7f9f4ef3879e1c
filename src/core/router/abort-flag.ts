import type { AbortSignalLike } from '../resilience/abort-signal-like.js';

/**
 * A stream's own abort: a flag, a reason and plain listeners (the live attempts' controllers, a backoff sleep), the
 * part of an `AbortController` the run needs. Why not an `AbortController`: the signal to the upstream is each
 * attempt's (one attempt is cancelled alone on a timeout or a lost hedge), so a stream-wide Node `AbortSignal` on top
 * would be a second one per stream, an `EventTarget` with two listener maps and a hidden class of its own (~0.7 KB,
 * and it survives a scavenge: docs/decisions/0006). Listeners run once, in order, synchronously on `abort`; one added
 * after the abort is not called (as with an `AbortSignal`: callers check `aborted` first).
 */
export class AbortFlag implements AbortSignalLike {
  aborted = false;
  reason: unknown = undefined;
  #listeners: Array<() => void> | undefined = undefined;

  /** Without a reason the reason is an `AbortError`, as `AbortController.abort()` makes. */
  abort(reason?: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason === undefined ? new DOMException('This operation was aborted', 'AbortError') : reason;
    const listeners = this.#listeners;
    this.#listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted) return;
    const listeners = this.#listeners;
    if (!listeners) this.#listeners = [listener];
    else if (!listeners.includes(listener)) listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const listeners = this.#listeners;
    const index = listeners ? listeners.indexOf(listener) : -1;
    if (index !== -1) listeners!.splice(index, 1);
  }
}
