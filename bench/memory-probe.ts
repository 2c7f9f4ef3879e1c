/**
 * What an open stream holds in the gateway: opens N long paced streams on one path, and reads the gateway's memory
 * after a full GC (V8 heap used, external, RSS) with the streams open and without, divided by N. The bench's "RSS
 * per stream" is peak RSS minus RSS before, which includes garbage not yet collected and heap growth timing; this
 * is what is really retained. `--target bare` runs the same against bench/floor-proxy.ts (Node's http objects on
 * both sides, nothing else): the floor any Node gateway pays.
 *
 *   npm run build && npx tsx bench/memory-probe.ts --path pass-through --streams 1000 [--snapshot] [--target bare]
 *
 * With --snapshot it also writes heap snapshots with the streams open and after they were cut (once every reading is
 * taken), for bench/summarize-heap-snapshot.ts (after-cut first, then open).
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { Endpoint } from './bench-types.js';
import { holdStream } from './hold-streams.js';
import { readRssBytes, spawnNode, stopProcess, waitForLine } from './processes.js';
import { createBenchPaths, createGatewayConfig } from './scenarios.js';
import { streamRequest } from './stream-request.js';

const root = resolve(new URL('..', import.meta.url).pathname);

interface Reading {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  heapCommitted: number;
}

const { values } = parseArgs({
  options: {
    path: { type: 'string', default: 'pass-through' },
    streams: { type: 'string', default: '1000' },
    target: { type: 'string', default: 'gateway' },
    snapshot: { type: 'boolean', default: false },
  },
});
const streamCount = Number(values.streams);
const workDirectory = join(tmpdir(), `circuit-breaker-memory-probe-${process.pid}`);
mkdirSync(workDirectory, { recursive: true });

function log(message: string): void {
  process.stderr.write(`[probe] ${message}\n`);
}

/** Full GC in the target (two rounds: the preload's SIGUSR2), then its own reading of what it holds. */
async function readAfterGc(target: ChildProcess & { pid: number }): Promise<Reading> {
  let file = '';
  for (let round = 0; round < 2; round++) {
    const before = new Set(readdirSync(workDirectory));
    target.kill('SIGUSR2');
    for (let waited = 0; waited < 5_000 && file === ''; waited += 50) {
      await delay(50);
      file = readdirSync(workDirectory).find((name) => name.startsWith('memory-') && !before.has(name)) ?? '';
    }
    if (round === 0) file = '';
  }
  const reading = JSON.parse(readFileSync(join(workDirectory, file), 'utf8')) as {
    memoryUsage: NodeJS.MemoryUsage;
    heap: { total_heap_size: number };
  };
  await delay(200);
  return {
    rss: readRssBytes(target.pid),
    heapUsed: reading.memoryUsage.heapUsed,
    external: reading.memoryUsage.external,
    arrayBuffers: reading.memoryUsage.arrayBuffers,
    heapCommitted: reading.heap.total_heap_size,
  };
}

async function writeSnapshot(target: ChildProcess, name: string): Promise<string> {
  const count = readdirSync(workDirectory).filter((file) => file.endsWith('.done')).length + 1;
  target.kill('SIGWINCH');
  while (!existsSync(join(workDirectory, `heap-${count}.done`))) await delay(200);
  const renamed = join(workDirectory, `${name}.heapsnapshot`);
  renameSync(join(workDirectory, `heap-${count}.heapsnapshot`), renamed);
  return renamed;
}

/** Opens one long paced stream (60 s) and resolves once its first bytes arrived. */
async function openStream(agent: Agent, endpoint: Endpoint, index: number): Promise<{ cut: () => void }> {
  const held = holdStream(agent, endpoint, { tokens: 600, tokensPerSecond: 10 }, `probe${index}`);
  await Promise.race([held.started, held.ended.then(() => Promise.reject(new Error('stream failed')))]);
  return held;
}

function perStream(open: Reading, idle: Reading): Record<string, string> {
  const row: Record<string, string> = {};
  for (const key of Object.keys(open) as Array<keyof Reading>) {
    row[key] = `${((open[key] - idle[key]) / streamCount / 1024).toFixed(1)} KB`;
  }
  return row;
}

async function main(): Promise<void> {
  const upstream = spawnNode({
    execArgv: ['--import', 'tsx'],
    script: join(root, 'bench/upstream-process.ts'),
    cwd: root,
    stderr: 'inherit',
  }) as ChildProcess & { pid: number };
  const { url: upstreamUrl } = JSON.parse(await waitForLine(upstream, /^(\{.*\})$/, 'upstream')) as { url: string };
  const configPath = join(workDirectory, 'gateway-config.json');
  writeFileSync(configPath, JSON.stringify(createGatewayConfig(upstreamUrl)));
  const bare = values.target === 'bare';
  const target = spawnNode({
    execArgv: [
      '--expose-gc',
      ...(bare ? ['--import', 'tsx'] : []),
      '--import',
      join(root, 'bench/gateway-preload.mjs'),
    ],
    script: bare ? join(root, 'bench/floor-proxy.ts') : join(root, 'dist/cli/index.js'),
    args: bare ? [upstreamUrl] : ['serve', '--config', configPath, '--host', '127.0.0.1', '--port', '0'],
    cwd: root,
    stderr: 'inherit',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', BENCH_PROBE_DIR: workDirectory },
  }) as ChildProcess & { pid: number };
  const targetUrl = await waitForLine(target, /listening on (http:\/\/\S+)/, values.target ?? 'gateway');
  const path = createBenchPaths(upstreamUrl, targetUrl).find((candidate) => candidate.id === values.path);
  if (!path) throw new Error(`unknown path ${values.path}`);
  // The bare proxy forwards the upstream's own protocol.
  const endpoint = bare ? { ...path.direct, origin: targetUrl } : path.gateway;
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  try {
    for (let index = 0; index < 30; index++) {
      await streamRequest({ agent, endpoint, shape: { tokens: 20, tokensPerSecond: 0 } });
    }
    // Before any concurrency: what the process keeps after N streams have come and gone is the difference.
    const fresh = await readAfterGc(target);
    // A first round of N streams, so that both sides' socket pools and V8's code are warm before the idle reading.
    const warm = await Promise.all(
      Array.from({ length: streamCount }, (_, index) => openStream(agent, endpoint, index)),
    );
    for (const stream of warm) stream.cut();
    await delay(5_000);
    const idle = await readAfterGc(target);
    log(`idle: ${JSON.stringify(idle)}`);

    const streams = await Promise.all(
      Array.from({ length: streamCount }, (_, index) => openStream(agent, endpoint, streamCount + index)),
    );
    await delay(1_000);
    const openRssNoGc = readRssBytes(target.pid);
    const open = await readAfterGc(target);
    const openSnapshot = values.snapshot ? await writeSnapshot(target, 'open') : undefined;
    log(`open: ${JSON.stringify(open)}`);
    for (const stream of streams) stream.cut();
    await delay(5_000);
    const after = await readAfterGc(target);
    // After every reading: writing a snapshot leaves the process's RSS higher, which would count as the streams'.
    const afterSnapshot = values.snapshot ? await writeSnapshot(target, 'after') : undefined;
    const result = {
      target: values.target,
      path: path.id,
      streams: streamCount,
      perStreamAfterGc: perStream(open, idle),
      perStreamRssNoGc: `${((openRssNoGc - idle.rss) / streamCount / 1024).toFixed(1)} KB`,
      fresh,
      idle,
      open,
      afterCut: after,
      snapshots: { open: openSnapshot, afterCut: afterSnapshot },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    agent.destroy();
    await stopProcess(target);
    await stopProcess(upstream);
  }
}

await main();
