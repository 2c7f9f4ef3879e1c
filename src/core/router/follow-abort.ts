import type { AbortSignalLike } from '../resilience/abort-signal-like.js';

/**
 * An `AbortController` that aborts, with the same reason, when `parent` does (at once if it already has). A listener
 * rather than `AbortSignal.any`, whose dependent-signal bookkeeping costs more per request than the routing decision.
 * The listener is not removed: every parent here belongs to one request and goes with it.
 */
export function followAbort(parent: AbortSignalLike | undefined): AbortController {
  const controller = new AbortController();
  if (parent?.aborted) controller.abort(parent.reason);
  else parent?.addEventListener('abort', () => controller.abort(parent.reason), { once: true });
  return controller;
}
