import type { BenchResults, LadderStep, PathResult } from './bench-results.js';
import type { BenchPlan } from './scenarios.js';

/** One target of issue 8, judged on this run's figures (ratios against direct where the target is relative). */
export interface TargetVerdict {
  target: string;
  /** The measured figure, formatted. */
  measured: string;
  /** undefined: not measured in this run (e.g. --quick skips 500 and 1,000 streams). */
  met: boolean | undefined;
}

/** Stall-free: the gateway adds at most 10 ms to the p99 gap, and at most 5 points of bunched (< 1 ms) gaps. */
export const STALL_GAP_P99_MS = 10;
export const STALL_BUNCHING_POINTS = 0.05;

/** Which proxy of a ladder step is judged: the gateway, or the bare node:http proxy measured as the floor. */
type Proxy = 'gateway' | 'floor';

export function addedGapP99(step: LadderStep, proxy: Proxy = 'gateway'): number {
  return (step[proxy]?.gaps.p99 ?? Number.NaN) - step.direct.gaps.p99;
}

export function isStallFree(step: LadderStep, proxy: Proxy = 'gateway'): boolean {
  const stage = step[proxy];
  if (!stage) return false;
  const bunching = stage.gaps.underOneMs - step.direct.gaps.underOneMs;
  const failed = stage.errors > 0;
  return !failed && addedGapP99(step, proxy) <= STALL_GAP_P99_MS && bunching <= STALL_BUNCHING_POINTS;
}

/** The largest measured concurrency at which the path (and every smaller step) stays stall-free; 0 if none. */
export function maxStallFree(path: PathResult, proxy: Proxy = 'gateway'): number {
  let best = 0;
  for (const step of path.ladder) {
    if (!isStallFree(step, proxy)) break;
    best = step.concurrency;
  }
  return best;
}

const ms = (value: number) => `${value.toFixed(2)} ms`;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * A ladder step whose direct run is already stalled (over 10 % of direct gaps bunched) measured the machine, not
 * the gateway: its "added" figures are noise (even negative), so targets on it are not judged.
 */
export function isBaselineHealthy(step: LadderStep): boolean {
  return step.direct.gaps.underOneMs <= 0.1 && step.direct.errors === 0;
}

const overloaded = (step: LadderStep) =>
  `not judged: the direct baseline itself stalled (${(step.direct.gaps.underOneMs * 100).toFixed(0)} % of direct gaps bunched; machine overloaded)`;

function stepAt(path: PathResult, concurrency: number): LadderStep | undefined {
  return path.ladder.find((step) => step.concurrency === concurrency);
}

/** Judges every target of issue 8 on the results. */
export function evaluateTargets(results: BenchResults, _plan: BenchPlan): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  const passThrough = results.paths.find((path) => path.id === 'pass-through');
  for (const path of results.paths) {
    const name = path.id;
    const single = path.ttftSingle;
    const p50 = single.gateway.ttft.p50 - single.direct.ttft.p50;
    const p99 = single.gateway.ttft.p99 - single.direct.ttft.p99;
    // Where the floor was measured, each figure is shown beside what a bare node:http proxy added in the same run.
    const floor = path.floor;
    const floorP50 = floor ? `; a bare node:http proxy: ${ms(floor.ttftSingle.ttft.p50 - single.direct.ttft.p50)}` : '';
    const floorP99 = floor ? `; a bare node:http proxy: ${ms(floor.ttftSingle.ttft.p99 - single.direct.ttft.p99)}` : '';
    verdicts.push({
      target: `${name}: added TTFT p50 ≤ 0.3 ms at 1 stream`,
      measured: ms(p50) + floorP50,
      met: p50 <= 0.3,
    });
    verdicts.push({
      target: `${name}: added TTFT p99 ≤ 1 ms at 1 stream`,
      measured: ms(p99) + floorP99,
      met: p99 <= 1,
    });
    const at500 = stepAt(path, 500);
    const added500 = at500 ? at500.gateway.ttft.p99 - at500.direct.ttft.p99 : Number.NaN;
    verdicts.push({
      target: `${name}: added TTFT p99 ≤ 10 ms at 500 paced streams`,
      measured: !at500
        ? 'not measured'
        : isBaselineHealthy(at500)
          ? ms(added500)
          : `${ms(added500)}, ${overloaded(at500)}`,
      met: at500 && isBaselineHealthy(at500) ? added500 <= 10 : undefined,
    });
    const { direct, gateway } = path.throughput;
    verdicts.push({
      target: `${name}: single stream ≥ 150,000 tokens/s through the gateway`,
      measured: `${Math.round(gateway).toLocaleString('en-US')} tokens/s`,
      met: gateway >= 150_000,
    });
    verdicts.push({
      target: `${name}: single stream ≥ 0.5× direct`,
      measured: `${(gateway / direct).toFixed(2)}×${floor ? `; a bare node:http proxy: ${(floor.throughput / direct).toFixed(2)}×` : ''}`,
      met: gateway / direct >= 0.5,
    });
    const at1000 = stepAt(path, 1000);
    verdicts.push({
      target: `${name}: 1,000 paced streams stall-free (added gap p99 ≤ 10 ms, no bunching)`,
      measured:
        (at1000
          ? `added gap p99 ${ms(addedGapP99(at1000))}, bunched ${(at1000.gateway.gaps.underOneMs * 100).toFixed(1)} % vs ${(at1000.direct.gaps.underOneMs * 100).toFixed(1)} % direct; stall-free up to ${maxStallFree(path)}${isBaselineHealthy(at1000) ? '' : `; ${overloaded(at1000)}`}`
          : `stall-free up to ${maxStallFree(path)} (1,000 not measured)`) +
        (path.ladder.some((step) => step.floor)
          ? `; a bare node:http proxy: stall-free up to ${maxStallFree(path, 'floor')}`
          : ''),
      met: at1000 && isBaselineHealthy(at1000) ? isStallFree(at1000) : undefined,
    });
    const largest = path.ladder.at(-1);
    if (largest) {
      // Judged on what a stream retains after a GC when measured: its RSS growth, but never less than its live heap
      // growth (heap in use is resident; RSS reads less only when pages resident from earlier absorbed it). The peak
      // growth, which also counts garbage not yet collected and heap-growth timing, is shown beside it.
      const retained = largest.retainedPerStream;
      const judged = retained ? Math.max(retained.rssBytes, retained.heapBytes) : largest.rssPerStreamBytes;
      verdicts.push({
        target: `${name}: ≤ 20 KB RSS per active stream (at ${largest.concurrency})`,
        measured: retained
          ? `${kb(judged)} retained after GC (RSS ${kb(retained.rssBytes)}, heap ${kb(retained.heapBytes)}); ${kb(largest.rssPerStreamBytes)} peak growth`
          : kb(largest.rssPerStreamBytes),
        met: judged <= 20 * 1024,
      });
    }
    const abort = path.abort.gateway;
    verdicts.push({
      target: `${name}: 100 % of disconnects abort the upstream within 100 ms`,
      measured: `${abort.reached}/${abort.cut} reached, p50 ${ms(abort.latency.p50)}, p99 ${ms(abort.latency.p99)}, max ${ms(abort.latency.max)}`,
      met: abort.cut > 0 && abort.reached === abort.cut && abort.latency.max <= 100,
    });
    if (passThrough && path !== passThrough && largest) {
      const reference = stepAt(passThrough, largest.concurrency);
      if (reference) {
        const ratio = largest.gateway.gatewayCpuMsPer1kTokens / reference.gateway.gatewayCpuMsPer1kTokens;
        verdicts.push({
          target: `${name}: CPU per token ≤ 1.5× pass-through (at ${largest.concurrency} paced streams)`,
          measured: `${ratio.toFixed(2)}× (${largest.gateway.gatewayCpuMsPer1kTokens.toFixed(1)} vs ${reference.gateway.gatewayCpuMsPer1kTokens.toFixed(1)} ms per 1k tokens)`,
          met: ratio <= 1.5,
        });
      }
    }
  }
  const { idleFreshBytes, idleWarmBytes, afterLoadBytes, afterCounterExit } = results.memory;
  verdicts.push({
    target: 'idle RSS ≤ 70 MB',
    measured: `${mb(idleFreshBytes)} fresh, ${mb(idleWarmBytes)} warm`,
    met: idleFreshBytes <= 70 * 1024 * 1024,
  });
  const percent = (bytes: number) => {
    const growth = bytes / idleWarmBytes - 1;
    return `${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(0)} %`;
  };
  // "Back within 10 %": judged on the later reading (once the token counter's idle wait is over) when there is one;
  // the 2 s reading is shown beside it.
  const settled = afterCounterExit?.bytes ?? afterLoadBytes;
  const settledText = afterCounterExit
    ? `${mb(afterCounterExit.bytes)} (${percent(afterCounterExit.bytes)}) ${(afterCounterExit.afterMs / 1000).toFixed(0)} s later, ${afterCounterExit.exited ? 'token counter exited' : 'token counter still running'}; `
    : '';
  verdicts.push({
    target: 'RSS after the load within 10 % of idle',
    measured: `${settledText}${mb(afterLoadBytes)} (${percent(afterLoadBytes)}) after 2 s; vs warm idle`,
    met: settled / idleWarmBytes - 1 <= 0.1,
  });
  return verdicts;
}

/**
 * Guard limits: gross regressions only. 5 ms of added TTFT p50 at 1 stream: after the warm-up the gateway adds
 * 1.2–2.2 ms in quick runs on this shared 2-core machine even at load average 4–6 (a bare node:http proxy adds
 * 0.5–0.8 ms), so 5 ms leaves room for a busy runner and still catches a fixed wait per request. 0.15×, not 0.2×:
 * the translating paths forward one unpaced stream at 0.35–0.45× direct, and the direct figure itself swings 2×
 * between runs, so 0.2× would sit too close to a healthy build on a bad moment.
 */
export const GUARD_MAX_ADDED_TTFT_P50_MS = 5;
export const GUARD_MIN_THROUGHPUT_RATIO = 0.15;

/**
 * The CI guard: only gross regressions, each a ratio against direct in the same run, so that a slow or busy CI
 * machine cannot fail it. Returns what failed (empty: pass).
 */
export function evaluateGuard(results: BenchResults): string[] {
  const failures: string[] = [];
  for (const path of results.paths) {
    const added = path.ttftSingle.gateway.ttft.p50 - path.ttftSingle.direct.ttft.p50;
    if (!(added <= GUARD_MAX_ADDED_TTFT_P50_MS)) {
      failures.push(
        `${path.id}: added TTFT p50 at 1 stream is ${added.toFixed(2)} ms (> ${GUARD_MAX_ADDED_TTFT_P50_MS} ms)`,
      );
    }
    const ratio = path.throughput.gateway / path.throughput.direct;
    if (!(ratio >= GUARD_MIN_THROUGHPUT_RATIO)) {
      failures.push(
        `${path.id}: single-stream throughput is ${ratio.toFixed(2)}× direct (< ${GUARD_MIN_THROUGHPUT_RATIO}×)`,
      );
    }
    const { cut, reached } = path.abort.gateway;
    if (!(cut > 0 && reached / cut >= 0.5)) {
      failures.push(`${path.id}: only ${reached}/${cut} client disconnects reached the upstream`);
    }
    const stages = [path.ttftSingle.gateway, ...path.ladder.map((step) => step.gateway)];
    for (const stage of stages) {
      if (stage.errors > 0.01 * (stage.streams + stage.errors)) {
        failures.push(`${path.id}: ${stage.errors} gateway streams failed (${stage.firstError ?? 'no message'})`);
        break;
      }
    }
  }
  return failures;
}
