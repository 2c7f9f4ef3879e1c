import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LoadClient, spawnNode, startLoadClient, stopProcess, waitForLine } from './processes.js';
import { createGatewayConfig } from './scenarios.js';

/** The three processes of a bench run. */
export interface BenchProcesses {
  upstream: ChildProcess & { pid: number };
  upstreamUrl: string;
  /** The upstream's clock bias (see measureClockBias): subtract from its abort records' `at`. */
  upstreamClockBiasMs: number;
  gateway: ChildProcess & { pid: number };
  gatewayUrl: string;
  /** A bare node:http proxy in front of the same upstream (bench/floor-proxy.ts): what any Node.js hop costs. */
  floor: ChildProcess & { pid: number };
  floorUrl: string;
  client: LoadClient;
  /** Where the gateway's log (stderr) and, with `cpuProfile`, its `.cpuprofile` go. */
  workDirectory: string;
  /** Stops the client, then the gateway (SIGTERM: it drains and, when profiling, writes its profile), then the upstream. */
  stop(): Promise<void>;
}

export interface StartBenchProcessesOptions {
  /** The repository root. */
  root: string;
  workDirectory: string;
  /** Run the gateway under `--cpu-prof` (the profile lands in `workDirectory`). */
  cpuProfile: boolean;
}

/**
 * Starts the upstream (lean simulator), the gateway (compiled CLI, `serve --config`) and the load client as separate
 * processes, so that each one's CPU and RSS are its own.
 */
export async function startBenchProcesses(options: StartBenchProcessesOptions): Promise<BenchProcesses> {
  const { root, workDirectory } = options;
  mkdirSync(workDirectory, { recursive: true });
  const started: ChildProcess[] = [];
  const logFd = openSync(join(workDirectory, 'gateway.log'), 'w');
  try {
    const upstream = spawnNode({
      execArgv: ['--import', 'tsx'],
      script: join(root, 'bench/upstream-process.ts'),
      cwd: root,
      stderr: 'inherit',
    });
    started.push(upstream);
    const upstreamLine = await waitForLine(upstream, /^(\{.*\})$/, 'upstream simulator');
    const { url: upstreamUrl, clockBiasMs: upstreamClockBiasMs } = JSON.parse(upstreamLine) as {
      url: string;
      clockBiasMs: number;
    };

    const floor = spawnNode({
      execArgv: ['--import', 'tsx'],
      script: join(root, 'bench/floor-proxy.ts'),
      args: [upstreamUrl],
      cwd: root,
      stderr: 'inherit',
    });
    started.push(floor);
    const floorUrl = await waitForLine(floor, /listening on (http:\/\/\S+)/, 'floor proxy');

    const configPath = join(workDirectory, 'gateway-config.json');
    writeFileSync(configPath, JSON.stringify(createGatewayConfig(upstreamUrl), null, 2));
    const profileFlags = options.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${workDirectory}`] : [];
    const gateway = spawnNode({
      execArgv: [...profileFlags, '--expose-gc', '--import', join(root, 'bench/gateway-preload.mjs')],
      script: join(root, 'dist/cli/index.js'),
      args: ['serve', '--config', configPath, '--host', '127.0.0.1', '--port', '0'],
      cwd: root,
      stderr: logFd,
      // The gateway's own settings only: no provider keys or gateway keys from the caller's shell.
      // BENCH_PROBE_DIR: the preload writes the gateway's heap reading after each GC there (bench/gateway-preload.mjs).
      env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', BENCH_PROBE_DIR: workDirectory },
    });
    started.push(gateway);
    const gatewayUrl = await waitForLine(gateway, /listening on (http:\/\/\S+)/, 'gateway');

    const client = await startLoadClient({ script: join(root, 'bench/load-client.ts'), cwd: root });
    return {
      upstream: upstream as BenchProcesses['upstream'],
      upstreamUrl,
      upstreamClockBiasMs,
      gateway: gateway as BenchProcesses['gateway'],
      gatewayUrl,
      floor: floor as BenchProcesses['floor'],
      floorUrl,
      client,
      workDirectory,
      async stop() {
        await client.close();
        await stopProcess(gateway, 15_000);
        await stopProcess(floor);
        await stopProcess(upstream);
        closeSync(logFd);
      },
    };
  } catch (error) {
    for (const child of started) child.kill('SIGKILL');
    closeSync(logFd);
    throw error;
  }
}
