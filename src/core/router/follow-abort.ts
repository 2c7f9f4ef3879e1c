import type { AbortSignalLike } from '../resilience/abort-signal-like.js';

/** Whatever can be aborted with a reason: an `AbortController`, or a stream's `AbortFlag`. */
interface Abortable {
  abort(reason?: unknown): void;
}

/**
 * Aborts `target` (a new `AbortController` unless given), with the same reason, when `parent` does (at once if it
 * already has), and returns it. A listener rather than `AbortSignal.any`, whose dependent-signal bookkeeping costs
 * more per request than the routing decision. The listener is not removed: every parent here belongs to one request
 * and goes with it.
 */
export function followAbort(parent: AbortSignalLike | undefined): AbortController;
export function followAbort<T extends Abortable>(parent: AbortSignalLike | undefined, target: T): T;
export function followAbort(parent: AbortSignalLike | undefined, target: Abortable = new AbortController()): Abortable {
  if (parent?.aborted) target.abort(parent.reason);
  else parent?.addEventListener('abort', () => target.abort(parent.reason), { once: true });
  return target;
}
