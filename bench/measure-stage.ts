import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { AbortResult, MeasuredStage, ProcessCpu } from './bench-results.js';
import type { Distribution, Endpoint, StageRequest, StreamShape } from './bench-types.js';
import { readChildPids, readCpuMs, readRssBytes, readThreadCount } from './processes.js';
import type { BenchProcesses } from './start-bench-processes.js';
import { summarize } from './stats.js';

const RSS_SAMPLE_INTERVAL_MS = 100;

function readAllCpu(processes: BenchProcesses): ProcessCpu {
  return {
    gateway: readCpuMs(processes.gateway.pid),
    floor: readCpuMs(processes.floor.pid),
    upstream: readCpuMs(processes.upstream.pid),
    client: readCpuMs(processes.client.pid),
  };
}

/** Runs one client stage while watching the processes: CPU of each, the gateway's RSS before and at peak. */
export async function measureStage(processes: BenchProcesses, stage: StageRequest): Promise<MeasuredStage> {
  const gatewayPid = processes.gateway.pid;
  const rssBeforeBytes = readRssBytes(gatewayPid);
  let rssPeakBytes = rssBeforeBytes;
  const sampler = setInterval(() => {
    rssPeakBytes = Math.max(rssPeakBytes, readRssBytes(gatewayPid));
  }, RSS_SAMPLE_INTERVAL_MS);
  const cpuBefore = readAllCpu(processes);
  const startedAt = performance.now();
  let result: Awaited<ReturnType<typeof processes.client.run>>;
  try {
    result = await processes.client.run(stage);
  } finally {
    clearInterval(sampler);
  }
  const wallMs = performance.now() - startedAt;
  const cpuAfter = readAllCpu(processes);
  rssPeakBytes = Math.max(rssPeakBytes, readRssBytes(gatewayPid));
  const cpuMs: ProcessCpu = {
    gateway: cpuAfter.gateway - cpuBefore.gateway,
    floor: cpuAfter.floor - cpuBefore.floor,
    upstream: cpuAfter.upstream - cpuBefore.upstream,
    client: cpuAfter.client - cpuBefore.client,
  };
  const cores = availableParallelism();
  return {
    streams: result.streams,
    errors: result.errors,
    firstError: result.firstError,
    tokens: result.tokens,
    ttft: result.ttft,
    gaps: result.gaps,
    elapsedMs: result.elapsedMs,
    streamTokensPerSecond: result.streamTokensPerSecond,
    cpuMs,
    gatewayCpuMsPer1kTokens: result.tokens > 0 ? (cpuMs.gateway * 1000) / result.tokens : Number.NaN,
    machineBusy: (cpuMs.gateway + cpuMs.floor + cpuMs.upstream + cpuMs.client) / (wallMs * cores),
    rssBeforeBytes,
    rssPeakBytes,
  };
}

interface SimulatorAbortStats {
  aborts: { count: number; records: Array<{ at: number; model: string }> };
}

async function fetchJson<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/**
 * Cuts `streams` paced streams after a few tokens each and matches every cut with the upstream's abort record
 * (by the unique model name each stream carries): the share that reached the upstream and how long it took.
 */
export async function measureAbort(
  processes: BenchProcesses,
  options: { endpoint: Endpoint; shape: StreamShape; streams: number; afterTokens: number; tag: string },
): Promise<AbortResult> {
  await fetchJson(`${processes.upstreamUrl}/_simulator/reset`, { method: 'POST' });
  const result = await processes.client.run({ kind: 'abort', ...options });
  const abortedAt = result.abortedAt ?? {};
  const cut = Object.keys(abortedAt).length;
  // Wait (bounded) for the upstream to see every disconnect: a late one counts as slow, a missing one as not reached.
  let stats: SimulatorAbortStats = { aborts: { count: 0, records: [] } };
  for (let waited = 0; waited <= 2_000; waited += 100) {
    stats = await fetchJson<SimulatorAbortStats>(`${processes.upstreamUrl}/_simulator/stats`);
    if (stats.aborts.count >= cut) break;
    await delay(100);
  }
  const latencies: number[] = [];
  for (const record of stats.aborts.records) {
    // The simulator records the model without the option suffix and without the provider prefix.
    const streamId = record.model.startsWith('bench-') ? record.model.slice('bench-'.length) : undefined;
    const cutAt = streamId === undefined ? undefined : abortedAt[streamId];
    if (cutAt !== undefined) latencies.push(Math.max(0, record.at - processes.upstreamClockBiasMs - cutAt));
  }
  const latency: Distribution = summarize(latencies);
  return { cut, reached: latencies.length, latency, errors: result.errors, firstError: result.firstError };
}

/** The numbers of the preload's GC readings in the work directory (`memory-<n>.json`). */
function gcReadingNumbers(processes: BenchProcesses): number[] {
  return readdirSync(processes.workDirectory)
    .map((name) => /^memory-(\d+)\.json$/.exec(name))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]));
}

/**
 * Asks the gateway for a full GC twice (the bench preload handles SIGUSR2), waits for each to finish, and reads its
 * RSS. The preload writes a reading once a GC is done: under the load of 1,000 streams that takes longer than the
 * 300 ms a round waits at least, so a fixed wait could read the RSS, and the heap, of the previous GC.
 */
export async function gatewayRssAfterGc(processes: BenchProcesses, settleMs: number): Promise<number> {
  await delay(settleMs);
  for (let round = 0; round < 2; round++) {
    const readings = gcReadingNumbers(processes).length;
    processes.gateway.kill('SIGUSR2');
    await delay(300);
    for (let waited = 0; waited < 5_000 && gcReadingNumbers(processes).length === readings; waited += 50) {
      await delay(50);
    }
  }
  return readRssBytes(processes.gateway.pid);
}

/** RSS of the gateway's child processes (the token counter while it runs), 0 when there are none. */
export function gatewayChildrenRssBytes(processes: BenchProcesses): number {
  let total = 0;
  for (const pid of readChildPids(processes.gateway.pid)) {
    try {
      total += readRssBytes(pid);
    } catch {
      // Exited between the listing and the read.
    }
  }
  return total;
}

/**
 * Waits at least `minimumMs` and until the gateway runs no child process and no more threads than `idleThreads` (its
 * warm idle count): the token counter, started by cut streams, has exited after its idle wait (bounded by
 * `timeoutMs`). Then RSS after a GC. The minimum lets what a quiet gateway gives back on its own do so: idle
 * keep-alive sockets close after 4 s, and V8 shrinks its heap only some seconds after the load.
 */
export async function gatewayRssAfterCounterExit(
  processes: BenchProcesses,
  options: { idleThreads: number; minimumMs: number; timeoutMs: number },
): Promise<{ bytes: number; waitedMs: number; exited: boolean }> {
  const { idleThreads, minimumMs, timeoutMs } = options;
  const pid = processes.gateway.pid;
  const counterGone = () => readChildPids(pid).length === 0 && readThreadCount(pid) <= idleThreads;
  const startedAt = performance.now();
  let exited = counterGone();
  while ((!exited || performance.now() - startedAt < minimumMs) && performance.now() - startedAt < timeoutMs) {
    await delay(250);
    exited = counterGone();
  }
  const waitedMs = performance.now() - startedAt;
  return { bytes: await gatewayRssAfterGc(processes, 500), waitedMs, exited };
}

/**
 * The gateway's V8 heap in use at its latest GC, from the preload's reading in the work directory (written on each
 * SIGUSR2); NaN when there is none. Not `external`: it swings by megabytes with the ArrayBuffers of reads in flight.
 */
export function readGatewayHeapAfterLastGc(processes: BenchProcesses): number {
  const readings = gcReadingNumbers(processes);
  if (readings.length === 0) return Number.NaN;
  const file = join(processes.workDirectory, `memory-${Math.max(...readings)}.json`);
  const { memoryUsage } = JSON.parse(readFileSync(file, 'utf8')) as { memoryUsage: NodeJS.MemoryUsage };
  return memoryUsage.heapUsed;
}
