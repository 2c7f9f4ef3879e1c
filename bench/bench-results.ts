import type { Distribution, StageResult } from './bench-types.js';
import type { BenchPath } from './scenarios.js';

/** CPU milliseconds each process spent during one stage. */
export interface ProcessCpu {
  gateway: number;
  /** The bare node:http proxy (bench/floor-proxy.ts); busy only in its own stages. */
  floor: number;
  upstream: number;
  client: number;
}

/** One stage as measured from the outside: the client's figures plus the processes' CPU and the gateway's RSS. */
export interface MeasuredStage extends Omit<StageResult, 'abortedAt'> {
  cpuMs: ProcessCpu;
  /** Gateway CPU per 1,000 tokens delivered (only meaningful for gateway stages). */
  gatewayCpuMsPer1kTokens: number;
  /** Share of the machine's cores busy in the three processes during the stage. */
  machineBusy: number;
  rssBeforeBytes: number;
  rssPeakBytes: number;
}

export interface ThroughputResult {
  /** Median over the runs, tokens per second from the first token to the last. */
  direct: number;
  gateway: number;
  gatewayCpuMsPer1kTokens: number;
  upstreamCpuMsPer1kTokens: number;
}

export interface LadderStep {
  concurrency: number;
  direct: MeasuredStage;
  gateway: MeasuredStage;
  /** The same step through the bare node:http proxy (pass-through only; see {@link FloorResult}). */
  floor?: MeasuredStage;
  /** Gateway RSS growth per open stream, bytes: peak during the step minus before it. */
  rssPerStreamBytes: number;
  /**
   * What an open stream retains, bytes: gateway RSS and live heap after a GC with N streams held open, minus after a
   * GC before (bench/measure-retained.ts). Absent in runs recorded before it existed.
   */
  retainedPerStream?: { rssBytes: number; heapBytes: number };
}

export interface AbortResult {
  /** Streams the client cut. */
  cut: number;
  /** Of those, how many the upstream saw disconnect. */
  reached: number;
  /** Client cut → upstream disconnect, ms (clocks: both processes' `performance.timeOrigin + now()`). */
  latency: Distribution;
  errors: number;
  firstError?: string;
}

/**
 * The same stages through a bare node:http proxy (bench/floor-proxy.ts) in front of the same upstream: what any
 * Node.js proxy hop adds on this machine. Measured on the pass-through path only (it forwards bytes unchanged).
 */
export interface FloorResult {
  ttftSingle: MeasuredStage;
  /** Median single-stream tokens/s, runs alternated with direct and gateway. */
  throughput: number;
}

export interface PathResult {
  id: BenchPath['id'];
  label: string;
  ttftSingle: { direct: MeasuredStage; gateway: MeasuredStage };
  floor?: FloorResult;
  throughput: ThroughputResult;
  ladder: LadderStep[];
  abort: { direct: AbortResult; gateway: AbortResult };
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  node: string;
  platform: string;
}

export interface MemoryResult {
  /** Gateway RSS right after start, before any request. */
  idleFreshBytes: number;
  /** After a warm-up and a GC: the gateway's steady idle. */
  idleWarmBytes: number;
  /** After all load, a 2 s settle and a GC. */
  afterLoadBytes: number;
  /** At the 2 s reading, the RSS of the gateway's child processes: the token counter, if it still runs. */
  afterLoadChildrenBytes?: number;
  /**
   * Later: once the token counter (started by the abort stage's cut streams) has exited after its idle wait, and a
   * GC. `afterMs` is how long after the 2 s reading. Both absent in runs recorded before they existed.
   */
  afterCounterExit?: { bytes: number; afterMs: number; exited: boolean };
}

export interface BenchResults {
  date: string;
  command: string;
  plan: string;
  machine: MachineInfo;
  memory: MemoryResult;
  paths: PathResult[];
}
