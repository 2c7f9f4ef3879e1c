import type { Clock, TimerHandle } from './clock.js';

/** A {@link Clock} whose time moves only when the test says so. */
export interface ManualClock extends Clock {
  /** Moves time forward, running every timer that falls due, in due order (timers set by timers included). */
  advance(ms: number): void;
  /** How many timers are scheduled and not yet run or cleared. */
  pendingTimers(): number;
}

/**
 * A deterministic clock for policy tests (and simulations): no real timers, no sleeps.
 * @see https://github.com/connor4312/cockatiel/blob/master/src/CircuitBreakerPolicy.test.ts (fake timers there)
 */
export function createManualClock(start = 0): ManualClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();

  function nextDue(limit: number): number | undefined {
    let found: number | undefined;
    for (const [id, timer] of timers) {
      if (timer.at > limit) continue;
      if (found === undefined || timer.at < timers.get(found)!.at) found = id;
    }
    return found;
  }

  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), callback });
      return id;
    },
    clearTimeout(handle: TimerHandle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const target = now + ms;
      for (let id = nextDue(target); id !== undefined; id = nextDue(target)) {
        const timer = timers.get(id)!;
        timers.delete(id);
        now = timer.at;
        timer.callback();
      }
      now = target;
    },
    pendingTimers: () => timers.size,
  };
}
