import { performance } from 'node:perf_hooks';

/**
 * How far this process's high-resolution epoch clock (`performance.timeOrigin + performance.now()`, what the
 * simulator stamps its abort records with) is ahead of the system clock (`Date.now()`), in ms. Processes started on
 * a busy machine can disagree by hundreds of milliseconds on that clock, since `timeOrigin` is sampled at startup;
 * subtracting each process's bias puts both on the shared system clock. Averaged over ~2 ms of samples, as
 * `Date.now()` only has millisecond resolution (the +0.5 recenters its truncation).
 */
export function measureClockBias(): number {
  let sum = 0;
  let count = 0;
  const until = performance.now() + 2;
  while (performance.now() < until || count < 100) {
    sum += performance.timeOrigin + performance.now() - Date.now();
    count++;
  }
  return sum / count - 0.5;
}
