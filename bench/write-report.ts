import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchResults, MeasuredStage, PathResult } from './bench-results.js';
import { maxStallFree, type TargetVerdict } from './evaluate-targets.js';
import { renderDistributionChart } from './render-svg-chart.js';

type Row = [label: string, direct: string, gateway: string, added: string];

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '–');
const signed = (value: number, digits = 2) =>
  Number.isFinite(value) ? `${value >= 0 ? '+' : ''}${value.toFixed(digits)}` : '–';
const integer = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '–');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const percent = (share: number) => `${(share * 100).toFixed(1)} %`;

function errorsNote(stage: MeasuredStage): string {
  return stage.errors > 0 ? ` (${stage.errors} failed)` : '';
}

/** Every figure of one path, direct | gateway | what the gateway adds (or the ratio). */
function pathRows(path: PathResult): Row[] {
  const { direct, gateway } = path.ttftSingle;
  const rows: Row[] = [
    [
      'TTFT p50, 1 stream (ms)',
      fixed(direct.ttft.p50),
      fixed(gateway.ttft.p50),
      signed(gateway.ttft.p50 - direct.ttft.p50),
    ],
    [
      'TTFT p99, 1 stream (ms)',
      fixed(direct.ttft.p99),
      fixed(gateway.ttft.p99),
      signed(gateway.ttft.p99 - direct.ttft.p99),
    ],
    [
      'single stream, unpaced (tokens/s)',
      integer(path.throughput.direct),
      integer(path.throughput.gateway),
      `${fixed(path.throughput.gateway / path.throughput.direct)}×`,
    ],
    ['gateway CPU per 1k tokens, unpaced (ms)', '', fixed(path.throughput.gatewayCpuMsPer1kTokens), ''],
  ];
  const floor = path.floor;
  if (floor) {
    // The floor's figures go in the gateway column: what a bare node:http proxy does in its place.
    rows.push(
      [
        'floor (bare node:http proxy): TTFT p50, 1 stream (ms)',
        fixed(direct.ttft.p50),
        fixed(floor.ttftSingle.ttft.p50),
        signed(floor.ttftSingle.ttft.p50 - direct.ttft.p50),
      ],
      [
        'floor (bare node:http proxy): TTFT p99, 1 stream (ms)',
        fixed(direct.ttft.p99),
        fixed(floor.ttftSingle.ttft.p99),
        signed(floor.ttftSingle.ttft.p99 - direct.ttft.p99),
      ],
      [
        'floor (bare node:http proxy): single stream (tokens/s)',
        integer(path.throughput.direct),
        integer(floor.throughput),
        `${fixed(floor.throughput / path.throughput.direct)}×`,
      ],
    );
  }
  for (const step of path.ladder) {
    const n = step.concurrency;
    const d = step.direct;
    const g = step.gateway;
    rows.push(
      [`${n} paced: TTFT p50 (ms)`, fixed(d.ttft.p50), fixed(g.ttft.p50), signed(g.ttft.p50 - d.ttft.p50)],
      [`${n} paced: TTFT p99 (ms)`, fixed(d.ttft.p99), fixed(g.ttft.p99), signed(g.ttft.p99 - d.ttft.p99)],
      [`${n} paced: gap p50 (ms)`, fixed(d.gaps.p50), fixed(g.gaps.p50), signed(g.gaps.p50 - d.gaps.p50)],
      [`${n} paced: gap p99 (ms)`, fixed(d.gaps.p99), fixed(g.gaps.p99), signed(g.gaps.p99 - d.gaps.p99)],
      [`${n} paced: bunched gaps (< 1 ms)`, percent(d.gaps.underOneMs), percent(g.gaps.underOneMs), ''],
      [
        `${n} paced: tokens received${errorsNote(g)}`,
        integer(d.tokens) + errorsNote(d),
        integer(g.tokens),
        `${fixed(g.tokens / d.tokens)}×`,
      ],
      [`${n} paced: gateway CPU per 1k tokens (ms)`, '', fixed(g.gatewayCpuMsPer1kTokens), ''],
      [`${n} paced: machine busy (all processes)`, percent(d.machineBusy), percent(g.machineBusy), ''],
      [
        `${n} paced: gateway RSS peak / per stream`,
        '',
        mb(g.rssPeakBytes),
        `${fixed(step.rssPerStreamBytes / 1024, 1)} KB`,
      ],
    );
    if (step.retainedPerStream !== undefined) {
      const { rssBytes, heapBytes } = step.retainedPerStream;
      rows.push([
        `${n} open: retained per stream after GC (RSS / heap)`,
        '',
        `${fixed(rssBytes / 1024, 1)} KB`,
        `${fixed(heapBytes / 1024, 1)} KB`,
      ]);
    }
  }
  rows.push(['stall-free up to (streams)', '', String(maxStallFree(path)), '']);
  if (path.ladder.some((step) => step.floor)) {
    for (const step of path.ladder) {
      const f = step.floor;
      if (!f) continue;
      const d = step.direct;
      rows.push(
        [
          `floor (bare node:http proxy), ${step.concurrency} paced: gap p99 (ms)`,
          fixed(d.gaps.p99),
          fixed(f.gaps.p99),
          signed(f.gaps.p99 - d.gaps.p99),
        ],
        [
          `floor (bare node:http proxy), ${step.concurrency} paced: bunched gaps (< 1 ms)`,
          percent(d.gaps.underOneMs),
          percent(f.gaps.underOneMs),
          '',
        ],
        [
          `floor (bare node:http proxy), ${step.concurrency} paced: its CPU per 1k tokens (ms)`,
          '',
          fixed(f.tokens > 0 ? (f.cpuMs.floor * 1000) / f.tokens : Number.NaN),
          '',
        ],
      );
    }
    rows.push([
      'floor (bare node:http proxy): stall-free up to (streams)',
      '',
      String(maxStallFree(path, 'floor')),
      '',
    ]);
  }
  const abort = path.abort;
  rows.push(
    [
      'disconnects reaching upstream',
      `${abort.direct.reached}/${abort.direct.cut}`,
      `${abort.gateway.reached}/${abort.gateway.cut}`,
      '',
    ],
    [
      'disconnect → upstream p50 (ms)',
      fixed(abort.direct.latency.p50),
      fixed(abort.gateway.latency.p50),
      signed(abort.gateway.latency.p50 - abort.direct.latency.p50),
    ],
    [
      'disconnect → upstream p99 (ms)',
      fixed(abort.direct.latency.p99),
      fixed(abort.gateway.latency.p99),
      signed(abort.gateway.latency.p99 - abort.direct.latency.p99),
    ],
  );
  return rows;
}

function memoryRows(results: BenchResults): Row[] {
  const { idleFreshBytes, idleWarmBytes, afterLoadBytes, afterLoadChildrenBytes, afterCounterExit } = results.memory;
  const rows: Row[] = [
    ['gateway RSS idle, fresh', '', mb(idleFreshBytes), ''],
    ['gateway RSS idle, warm (after a GC)', '', mb(idleWarmBytes), ''],
    [
      'gateway RSS after the load (2 s settle, GC)',
      '',
      mb(afterLoadBytes),
      `${signed((afterLoadBytes / idleWarmBytes - 1) * 100, 0)} %`,
    ],
  ];
  if (afterLoadChildrenBytes !== undefined) {
    rows.push(['… its token counter process at that time', '', mb(afterLoadChildrenBytes), '']);
  }
  if (afterCounterExit) {
    const when = afterCounterExit.exited ? 'token counter exited' : 'token counter still running';
    rows.push([
      `… ${(afterCounterExit.afterMs / 1000).toFixed(0)} s later (${when}, GC)`,
      '',
      mb(afterCounterExit.bytes),
      `${signed((afterCounterExit.bytes / idleWarmBytes - 1) * 100, 0)} %`,
    ]);
  }
  return rows;
}

function pad(rows: Row[], header: Row): string {
  const widths = header.map((cell, index) => Math.max(cell.length, ...rows.map((row) => row[index]!.length)));
  const line = (row: Row) =>
    row.map((cell, index) => (index === 0 ? cell.padEnd(widths[index]!) : cell.padStart(widths[index]!))).join('   ');
  return [line(header), ...rows.map(line)].join('\n');
}

function verdictMark(met: boolean | undefined): string {
  return met === undefined ? 'n/a' : met ? 'met' : 'NOT met';
}

/** The stdout table. */
export function formatTable(results: BenchResults, targets: TargetVerdict[]): string {
  const header: Row = ['', 'direct', 'gateway', 'added/ratio'];
  const sections = results.paths.map((path) => `${path.label} (${path.id})\n${pad(pathRows(path), header)}`);
  sections.push(`Memory\n${pad(memoryRows(results), header)}`);
  const width = Math.max(...targets.map((verdict) => verdict.target.length));
  sections.push(
    `Targets\n${targets.map((verdict) => `${verdictMark(verdict.met).padEnd(7)}  ${verdict.target.padEnd(width)}  ${verdict.measured}`).join('\n')}`,
  );
  return sections.join('\n\n');
}

function markdownTable(rows: Row[], header: Row): string {
  const escapeCell = (cell: string) => cell.replaceAll('|', '\\|');
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map((_, index) => (index === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
    ...rows.map((row) => `| ${row.map(escapeCell).join(' | ')} |`),
  ].join('\n');
}

function formatMarkdown(results: BenchResults, targets: TargetVerdict[], charts: string[]): string {
  const { machine } = results;
  const header: Row = ['', 'direct', 'gateway', 'added / ratio'];
  const met = targets.filter((verdict) => verdict.met === true).length;
  const judged = targets.filter((verdict) => verdict.met !== undefined).length;
  return [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (bench/run-bench.ts); do not edit by hand. What each figure means and how it is',
    'measured: [performance.md](performance.md).',
    '',
    `- Date: ${results.date}`,
    `- Command: \`${results.command}\` (plan: ${results.plan})`,
    `- Machine: ${machine.cpuModel}, ${machine.cores} cores, ${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GB RAM, Node ${machine.node}, ${machine.platform}`,
    '- Processes: the upstream (provider simulator, lean mode), the gateway (compiled `dist/`, `circuit-breaker serve`),',
    '  the floor (a bare node:http proxy, bench/floor-proxy.ts) and the load client run as separate processes on the same',
    '  cores, over loopback. "Direct" is the client calling the simulator in the upstream\'s own protocol; "gateway" is the',
    '  same call through the gateway; "floor" the same call through the bare proxy (pass-through path). "Added" is',
    '  gateway (or floor) minus direct in the same run.',
    '',
    `## Targets (${met} of ${judged} met)`,
    '',
    '| target | measured | |',
    '| --- | --- | --- |',
    ...targets.map((verdict) => `| ${verdict.target} | ${verdict.measured} | ${verdictMark(verdict.met)} |`),
    '',
    ...results.paths.flatMap((path) => [
      `## ${path.label} (${path.id})`,
      '',
      markdownTable(pathRows(path), header),
      '',
    ]),
    '## Memory (gateway process)',
    '',
    markdownTable(memoryRows(results), header),
    '',
    '## Distributions',
    '',
    ...charts.map((file) => `![${file}](${file})`),
    '',
  ].join('\n');
}

/** Writes benchmarks.md, benchmarks.json and one SVG chart per path into `directory`; returns the paths written. */
export function writeReport(options: { results: BenchResults; targets: TargetVerdict[]; directory: string }): string[] {
  const { results, targets, directory } = options;
  mkdirSync(directory, { recursive: true });
  const written: string[] = [];
  const charts: string[] = [];
  for (const path of results.paths) {
    const file = `benchmark-${path.id}.svg`;
    writeFileSync(join(directory, file), renderDistributionChart(path));
    charts.push(file);
    written.push(join(directory, file));
  }
  writeFileSync(join(directory, 'benchmarks.json'), `${JSON.stringify({ ...results, targets }, null, 2)}\n`);
  writeFileSync(join(directory, 'benchmarks.md'), formatMarkdown(results, targets, charts));
  written.push(join(directory, 'benchmarks.json'), join(directory, 'benchmarks.md'));
  return written;
}
