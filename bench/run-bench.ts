/**
 * `npm run bench`: starts the lean simulator, the compiled gateway and a load client as separate processes and
 * measures, in the same run, every figure directly against the upstream and through the gateway.
 *
 *   npm run bench                      full run (a few minutes), writes docs/benchmarks.{md,json} and the SVG chart
 *   npm run bench -- --quick           a short run (under a minute), prints the table only
 *   npm run bench -- --quick --guard   exits 1 on a gross regression (ratios against direct, never absolute times)
 *   npm run bench -- --profile         also runs the gateway under --cpu-prof and summarizes the profile
 *   npm run bench -- --out DIR         write the report files to DIR (default docs/ for a full run)
 */
import { readFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { BenchResults, MachineInfo, PathResult } from './bench-results.js';
import { evaluateGuard, evaluateTargets } from './evaluate-targets.js';
import { measureRetainedPerStream } from './measure-retained.js';
import {
  gatewayChildrenRssBytes,
  gatewayRssAfterCounterExit,
  gatewayRssAfterGc,
  measureAbort,
  measureStage,
} from './measure-stage.js';
import { readRssBytes, readThreadCount } from './processes.js';
import { type BenchPath, type BenchPlan, createBenchPaths, fullPlan, quickPlan } from './scenarios.js';
import { type BenchProcesses, startBenchProcesses } from './start-bench-processes.js';
import { median } from './stats.js';
import { summarizeCpuProfile } from './summarize-cpu-profile.js';
import { formatTable, writeReport } from './write-report.js';

const root = resolve(new URL('..', import.meta.url).pathname);

const benchStartedAt = performance.now();

function log(message: string): void {
  const seconds = ((performance.now() - benchStartedAt) / 1000).toFixed(1).padStart(5);
  process.stderr.write(`[bench ${seconds} s] ${message}\n`);
}

function describeMachine(): MachineInfo {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    memoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

async function measurePath(processes: BenchProcesses, path: BenchPath, plan: BenchPlan): Promise<PathResult> {
  const unpacedShort = { tokens: 20, tokensPerSecond: 0 };
  log(`${path.id}: time to first token, 1 stream`);
  const ttftSingle = {
    direct: await measureStage(processes, {
      kind: 'sequential',
      endpoint: path.direct,
      shape: unpacedShort,
      requests: plan.ttftRequests,
      warmup: plan.ttftWarmup,
    }),
    gateway: await measureStage(processes, {
      kind: 'sequential',
      endpoint: path.gateway,
      shape: unpacedShort,
      requests: plan.ttftRequests,
      warmup: plan.ttftWarmup,
    }),
  };

  // The floor: the same direct endpoint (same wire format and model), reached through a bare node:http proxy.
  const floorEndpoint = path.id === 'pass-through' ? { ...path.direct, origin: processes.floorUrl } : undefined;
  const floorTtft = floorEndpoint
    ? await measureStage(processes, {
        kind: 'sequential',
        endpoint: floorEndpoint,
        shape: unpacedShort,
        requests: plan.ttftRequests,
        warmup: plan.ttftWarmup,
      })
    : undefined;

  log(`${path.id}: single-stream throughput`);
  const big = { tokens: plan.throughputTokens, tokensPerSecond: 0 };
  const rates = {
    direct: [] as number[],
    gateway: [] as number[],
    floor: [] as number[],
    gatewayCpu: [] as number[],
    upstreamCpu: [] as number[],
  };
  for (let run = 0; run < plan.throughputRuns; run++) {
    for (const target of floorEndpoint ? (['direct', 'gateway', 'floor'] as const) : (['direct', 'gateway'] as const)) {
      const stage = await measureStage(processes, {
        kind: 'sequential',
        endpoint: target === 'floor' && floorEndpoint ? floorEndpoint : path[target as 'direct' | 'gateway'],
        shape: big,
        requests: 1,
        warmup: run === 0 ? 1 : 0,
      });
      rates[target].push(stage.streamTokensPerSecond.length > 0 ? median(stage.streamTokensPerSecond) : 0);
      if (target === 'gateway') {
        rates.gatewayCpu.push(stage.gatewayCpuMsPer1kTokens);
        rates.upstreamCpu.push((stage.cpuMs.upstream * 1000) / Math.max(1, stage.tokens));
      }
    }
  }

  const ladder: PathResult['ladder'] = [];
  for (const concurrency of plan.ladder) {
    log(`${path.id}: ${concurrency} paced streams at ${plan.pacedTokensPerSecond} tokens/s`);
    const shape = { tokens: plan.pacedTokens, tokensPerSecond: plan.pacedTokensPerSecond };
    const rampMs = (plan.pacedTokens * 1000) / plan.pacedTokensPerSecond;
    const stage = (target: 'direct' | 'gateway' | 'floor') =>
      measureStage(processes, {
        kind: 'closed-loop',
        endpoint: target === 'floor' && floorEndpoint ? floorEndpoint : path[target as 'direct' | 'gateway'],
        shape,
        concurrency,
        rampMs,
        durationMs: plan.ladderDurationMs,
      });
    const direct = await stage('direct');
    const gateway = await stage('gateway');
    const floor = floorEndpoint && plan.floorLadder ? await stage('floor') : undefined;
    let retainedPerStream: Awaited<ReturnType<typeof measureRetainedPerStream>> | undefined;
    if (plan.measureRetained) {
      log(`${path.id}: what ${concurrency} open streams retain (RSS after a GC)`);
      retainedPerStream = await measureRetainedPerStream(processes, path.gateway, concurrency);
    }
    ladder.push({
      concurrency,
      direct,
      gateway,
      floor,
      rssPerStreamBytes: Math.max(0, gateway.rssPeakBytes - gateway.rssBeforeBytes) / concurrency,
      retainedPerStream,
    });
  }

  log(`${path.id}: client disconnects`);
  // Long enough to be mid-stream when cut (20 s at 50 tokens/s), short enough for the simulator, which renders a
  // stream's frames up front (200 streams of 100,000 Gemini frames, each with its own usage counts, exhaust its heap).
  const abortShape = { tokens: 1_000, tokensPerSecond: plan.pacedTokensPerSecond };
  const abortOptions = { shape: abortShape, streams: plan.abortStreams, afterTokens: plan.abortAfterTokens };
  const abort = {
    direct: await measureAbort(processes, { ...abortOptions, endpoint: path.direct, tag: `${path.id}-direct` }),
    gateway: await measureAbort(processes, { ...abortOptions, endpoint: path.gateway, tag: `${path.id}-gateway` }),
  };
  const throughput = {
    direct: median(rates.direct),
    gateway: median(rates.gateway),
    gatewayCpuMsPer1kTokens: median(rates.gatewayCpu),
    upstreamCpuMsPer1kTokens: median(rates.upstreamCpu),
  };
  const floor = floorTtft ? { ttftSingle: floorTtft, throughput: median(rates.floor) } : undefined;
  return { id: path.id, label: path.label, ttftSingle, floor, throughput, ladder, abort };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      guard: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      out: { type: 'string' },
      only: { type: 'string' },
      stages: { type: 'string' },
      'from-json': { type: 'string' },
    },
  });
  const basePlan = values.quick ? quickPlan : fullPlan;
  // --stages ttft,throughput,ladder,abort: run only those (to profile one kind of load); the rest stay empty.
  const stages = new Set((values.stages ?? 'ttft,throughput,ladder,abort').split(','));
  const plan: BenchPlan = {
    ...basePlan,
    ttftRequests: stages.has('ttft') ? basePlan.ttftRequests : 0,
    throughputRuns: stages.has('throughput') ? basePlan.throughputRuns : 0,
    ladder: stages.has('ladder') ? basePlan.ladder : [],
    abortStreams: stages.has('abort') ? basePlan.abortStreams : 0,
  };
  const outDirectory = values.out ?? (values.quick ? undefined : join(root, 'docs'));
  const workDirectory = join(tmpdir(), `circuit-breaker-bench-${process.pid}`);
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  log(`${plan.name} run; processes' logs in ${workDirectory}`);

  let results: BenchResults;
  if (values['from-json'] !== undefined) {
    // Re-render a recorded run (after a change to the report code): no processes, no measuring.
    results = JSON.parse(readFileSync(values['from-json'], 'utf8')) as BenchResults;
  } else {
    results = await measureAll({ plan, workDirectory, command, profile: values.profile === true, only: values.only });
  }
  return report({
    results,
    plan,
    outDirectory,
    workDirectory,
    profile: values.profile === true,
    guard: values.guard === true,
  });
}

async function measureAll(options: {
  plan: BenchPlan;
  workDirectory: string;
  command: string;
  profile: boolean;
  only: string | undefined;
}): Promise<BenchResults> {
  const { plan, workDirectory, command, only } = options;
  const processes = await startBenchProcesses({ root, workDirectory, cpuProfile: options.profile });
  try {
    await new Promise((done) => setTimeout(done, 500));
    const idleFreshBytes = readRssBytes(processes.gateway.pid);
    const paths = createBenchPaths(processes.upstreamUrl, processes.gatewayUrl).filter(
      (path) => only === undefined || only.split(',').includes(path.id),
    );
    // Steady idle: every path's code loaded and compiled by a few requests, then a GC. "After the load" is
    // compared with this, since a process never gives back the code it loaded.
    for (const path of paths) {
      await processes.client.run({
        kind: 'sequential',
        endpoint: path.gateway,
        shape: { tokens: 20, tokensPerSecond: 0 },
        requests: 0,
        warmup: 20,
      });
    }
    const idleWarmBytes = await gatewayRssAfterGc(processes, 200);
    const idleThreads = readThreadCount(processes.gateway.pid);
    const measured: PathResult[] = [];
    for (const path of paths) measured.push(await measurePath(processes, path, plan));
    log('memory after the load');
    const afterLoadBytes = await gatewayRssAfterGc(processes, 2_000);
    const afterLoadChildrenBytes = gatewayChildrenRssBytes(processes);
    const afterCounterExit = plan.afterCounterExit
      ? await readAfterCounterExit(processes, idleThreads, plan.afterCounterExit.minimumMs)
      : undefined;
    return {
      date: new Date().toISOString(),
      command,
      plan: plan.name,
      machine: describeMachine(),
      memory: { idleFreshBytes, idleWarmBytes, afterLoadBytes, afterLoadChildrenBytes, afterCounterExit },
      paths: measured,
    };
  } finally {
    await processes.stop();
  }
}

/** RSS once the token counter has exited after its idle wait, and at least `minimumMs` after the load. */
async function readAfterCounterExit(
  processes: BenchProcesses,
  idleThreads: number,
  minimumMs: number,
): Promise<{ bytes: number; afterMs: number; exited: boolean }> {
  log(`memory once the token counter has exited (it waits 5–60 s idle), at least ${minimumMs / 1000} s later`);
  const exit = await gatewayRssAfterCounterExit(processes, { idleThreads, minimumMs, timeoutMs: 75_000 });
  return { bytes: exit.bytes, afterMs: exit.waitedMs, exited: exit.exited };
}

function report(options: {
  results: BenchResults;
  plan: BenchPlan;
  outDirectory: string | undefined;
  workDirectory: string;
  profile: boolean;
  guard: boolean;
}): number {
  const { results, plan, outDirectory, workDirectory } = options;

  const targets = evaluateTargets(results, plan);
  process.stdout.write(`${formatTable(results, targets)}\n`);
  if (options.profile) {
    const summary = summarizeCpuProfile(workDirectory);
    if (summary) process.stdout.write(`\n${summary}\n`);
  }
  if (outDirectory) {
    const written = writeReport({ results, targets, directory: outDirectory });
    log(`wrote ${written.join(', ')}`);
  }
  if (options.guard) {
    const failures = evaluateGuard(results);
    if (failures.length > 0) {
      process.stderr.write(`bench guard FAILED:\n${failures.map((failure) => `  - ${failure}`).join('\n')}\n`);
      return 1;
    }
    log('guard: no gross regression');
  }
  return 0;
}

process.exitCode = await main();
