import type { Distribution } from './bench-types.js';

/** The value at percentile `p` (0–100) of an ascending array, nearest-rank. */
export function percentileOf(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}

/** Summarizes samples (sorted in a typed array: a million gaps sort in well under a second). */
export function summarize(samples: ArrayLike<number>): Distribution {
  const sorted = Float64Array.from(samples as ArrayLike<number>).sort();
  let sum = 0;
  let underOneMs = 0;
  for (const value of sorted) {
    sum += value;
    if (value < 1) underOneMs++;
  }
  const count = sorted.length;
  return {
    count,
    mean: count === 0 ? Number.NaN : sum / count,
    min: count === 0 ? Number.NaN : sorted[0]!,
    p50: percentileOf(sorted, 50),
    p90: percentileOf(sorted, 90),
    p99: percentileOf(sorted, 99),
    p999: percentileOf(sorted, 99.9),
    max: count === 0 ? Number.NaN : sorted[count - 1]!,
    underOneMs: count === 0 ? 0 : underOneMs / count,
    percentiles: Array.from({ length: 101 }, (_, p) => percentileOf(sorted, p)),
  };
}

/** A growable Float64Array: millions of samples without boxing every number. */
export function createSampleBuffer(initialCapacity = 1024) {
  let values = new Float64Array(initialCapacity);
  let length = 0;
  return {
    push(value: number): void {
      if (length === values.length) {
        const grown = new Float64Array(values.length * 2);
        grown.set(values);
        values = grown;
      }
      values[length++] = value;
    },
    values(): Float64Array {
      return values.subarray(0, length);
    },
    get length() {
      return length;
    },
  };
}

/** The median of a few numbers (repeated runs). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
