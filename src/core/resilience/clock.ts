/** An opaque timer handle: whatever the clock's `setTimeout` returned. */
export type TimerHandle = unknown;

/**
 * Time as the policies see it. Injected everywhere so tests drive time by hand (see `createManualClock`) and
 * no policy ever sleeps for real in a test.
 */
export interface Clock {
  /** Milliseconds since the epoch (or any fixed origin; only differences matter). */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: `Date.now` and the global timers (web-standard, available in every runtime). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof globalThis.clearTimeout>[0]),
};
