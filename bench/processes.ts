import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ClientMessage, ClientReply, StageRequest, StageResult } from './bench-types.js';

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`; 100 on every Linux we run on). */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time (user + system) of a process so far, in milliseconds, from `/proc/<pid>/stat`. */
export function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesized command name (which may contain spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Resident set size of a process, in bytes, from `VmRSS` in `/proc/<pid>/status`. */
export function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /VmRSS:\s+(\d+) kB/.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** Threads of a process, from `Threads` in `/proc/<pid>/status` (a worker thread adds one). */
export function readThreadCount(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /Threads:\s+(\d+)/.exec(status);
  return match ? Number(match[1]) : Number.NaN;
}

/** The child processes of a process (the gateway's token counter), from `/proc/<pid>/task/<tid>/children`. */
export function readChildPids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
    readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
  );
}

/** Resolves with the first stdout line matching `pattern` (its first capture group), or rejects on exit/timeout. */
export function waitForLine(child: ChildProcess, pattern: RegExp, label: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!child.stdout) return reject(new Error(`${label}: no stdout`));
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => fail(new Error(`${label} did not start within ${timeoutMs} ms`)), timeoutMs);
    const onExit = (code: number | null) => fail(new Error(`${label} exited (code ${code}) before it was ready`));
    function fail(error: Error) {
      clearTimeout(timer);
      lines.close();
      child.off('exit', onExit);
      reject(error);
    }
    child.once('exit', onExit);
    lines.on('line', (line) => {
      const match = pattern.exec(line);
      if (!match) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      // Keep draining stdout so the child never blocks on a full pipe.
      lines.removeAllListeners('line');
      resolve(match[1] ?? line);
    });
  });
}

/** Spawns a Node process (`execArgv` + script + args) with stdout piped and stderr to `stderr` (a fd or 'inherit'). */
export function spawnNode(options: {
  execArgv: string[];
  script: string;
  args?: string[];
  cwd: string;
  stderr: number | 'inherit' | 'ignore';
  env?: NodeJS.ProcessEnv;
}): ChildProcess {
  return spawn(process.execPath, [...options.execArgv, options.script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', options.stderr],
  });
}

/** Sends SIGTERM and waits for the exit (SIGKILL after `graceMs`). */
export function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** The load client as a forked process, driven stage by stage over IPC. */
export interface LoadClient {
  pid: number;
  run(stage: StageRequest): Promise<StageResult>;
  close(): Promise<void>;
}

/** Forks `bench/load-client.ts` (under tsx) and waits until it reports ready. */
export async function startLoadClient(options: { script: string; cwd: string }): Promise<LoadClient> {
  const child = fork(options.script, [], {
    cwd: options.cwd,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve: (result: StageResult) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`load client exited (code ${code}) before it was ready`)));
    child.on('message', (reply: ClientReply) => {
      if (reply.type === 'ready') return resolve();
      const waiting = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.type === 'result') waiting?.resolve(reply.result);
      else waiting?.reject(new Error(`load client: ${reply.message}`));
    });
  });
  child.on('exit', (code) => {
    for (const waiting of pending.values()) waiting.reject(new Error(`load client exited (code ${code})`));
    pending.clear();
  });
  const post = (message: ClientMessage) => child.send(message);
  return {
    pid: child.pid!,
    run(stage) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        post({ type: 'run', id, stage });
      });
    },
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        post({ type: 'exit' });
      }),
  };
}
