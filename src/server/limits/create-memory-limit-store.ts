import type { LimitStore, LimitWindow } from './limit-store.js';

/**
 * The in-process {@link LimitStore}: a map of counters. JavaScript runs each method to completion before another
 * starts (no await inside), which gives the atomicity the interface asks for. Expired windows are swept on writes.
 * Per gateway process: with several instances, use a shared store.
 */
export function createMemoryLimitStore(now: () => number = Date.now): LimitStore {
  const counters = new Map<string, { value: number; expiresAt: number }>();
  let nextSweep = 0;
  const id = (key: string, window: LimitWindow) => `${key}:${window.start}`;
  const get = (key: string, window: LimitWindow) => counters.get(id(key, window))?.value ?? 0;
  const add = (key: string, window: LimitWindow, amount: number) => {
    const name = id(key, window);
    const counter = counters.get(name);
    if (counter) counter.value += amount;
    else counters.set(name, { value: amount, expiresAt: window.expiresAt });
    const time = now();
    if (time >= nextSweep) {
      nextSweep = time + 60_000;
      for (const [name, entry] of counters) if (entry.expiresAt < time) counters.delete(name);
    }
  };
  return {
    async consume({ key, windows, amount, limit }) {
      const counts = windows.map((window) => get(key, window));
      const total = counts.reduce((sum, count, index) => sum + count * windows[index].weight, 0);
      if (total + amount > limit) return { allowed: false, counts };
      add(key, windows[0], amount);
      return { allowed: true, counts };
    },
    async add({ key, window, amount }) {
      add(key, window, amount);
    },
    async read({ key, windows }) {
      return windows.map((window) => get(key, window));
    },
  };
}
