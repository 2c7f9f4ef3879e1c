/**
 * One counting window of a limit: counters live under `(key, start)` and may be dropped after `expiresAt`.
 * `weight` is how much of the window counts now: 1 for the current window, the share of the previous minute still
 * inside the sliding minute for the previous one (sliding-window counter, as Cloudflare and nginx describe it).
 */
export interface LimitWindow {
  start: number;
  expiresAt: number;
  weight: number;
}

/** The outcome of {@link LimitStore.consume}: the raw counts of each window as read (before adding). */
export interface ConsumeResult {
  allowed: boolean;
  counts: number[];
}

/**
 * The counters behind rate limits and budgets. Every method is atomic per key: a Redis implementation runs each as
 * one Lua script over the keys `<key>:<window.start>` (read with GET, weigh, INCRBYFLOAT on the first window,
 * PEXPIREAT to `expiresAt`), so gateways sharing the store never both take the last slot.
 */
export interface LimitStore {
  /**
   * If `sum(count_i × weight_i) + amount ≤ limit`, adds `amount` to the first window and allows; else changes
   * nothing and denies. Atomic: the read and the add are one step.
   */
  consume(input: {
    key: string;
    windows: readonly LimitWindow[];
    amount: number;
    limit: number;
  }): Promise<ConsumeResult>;
  /** Adds `amount` to the window unconditionally (tokens and cost are known only after the request). */
  add(input: { key: string; window: LimitWindow; amount: number }): Promise<void>;
  /** The raw counts of the windows, in order. */
  read(input: { key: string; windows: readonly LimitWindow[] }): Promise<number[]>;
}
