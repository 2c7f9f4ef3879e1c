import { Worker } from 'node:worker_threads';

/**
 * Token counts for what a provider did not report: the text a cut stream delivered, and the prompt of a request
 * that failed before usage arrived. `gpt-tokenizer` (o200k_base) runs in a worker thread started on first use:
 * loading its tables costs ~70 MB and 0.7–5 s of CPU, which on the main thread would stall every live stream, and
 * at startup would triple the gateway's idle memory. For non-OpenAI models the count is an estimate, which is what
 * a partial row is flagged for.
 */

/** A worker that goes idle after a one-off burst of cuts exits soon, so that its ~70 MB go back (≈ 40 MB of it). */
const quickIdleExitMs = 5_000;
/** The longest idle wait: a worker needed again and again stays, instead of reloading its tables every few seconds. */
const longestIdleExitMs = 60_000;

/**
 * How long the next worker waits idle before it exits: quick at first; doubled (up to a minute) each time a worker
 * is started again within a minute of the last one's exit, which bounds the reload cost under steady cuts.
 */
export function nextIdleExitMs(lastExit: IdleExit | undefined, now: number): number {
  if (lastExit === undefined || now - lastExit.at >= longestIdleExitMs) return quickIdleExitMs;
  return Math.min(lastExit.idleExitMs * 2, longestIdleExitMs);
}

/** When the last worker exited for being idle, and how long it had waited. */
interface IdleExit {
  idleExitMs: number;
  at: number;
}

interface TokenCounter {
  worker: Worker;
  pending: Map<number, (count: number) => void>;
  nextId: number;
  idleExitMs: number;
  idleTimer?: ReturnType<typeof setTimeout>;
}

let counter: TokenCounter | undefined;
let lastIdleExit: IdleExit | undefined;

const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.tokenizerUrl).then(({ countTokens }) => {
  parentPort.on('message', ({ id, text }) => parentPort.postMessage({ id, count: countTokens(text) }));
  parentPort.postMessage({ ready: true });
});
`;

function startCounter(): TokenCounter {
  const worker = new Worker(workerSource, {
    eval: true,
    workerData: { tokenizerUrl: import.meta.resolve('gpt-tokenizer') },
  });
  const idleExitMs = nextIdleExitMs(lastIdleExit, Date.now());
  const started: TokenCounter = { worker, pending: new Map(), nextId: 0, idleExitMs };
  worker.unref();
  worker.on('message', (message: { id?: number; count?: number }) => {
    if (message.id === undefined) return;
    started.pending.get(message.id)?.(message.count ?? 0);
    started.pending.delete(message.id);
    if (started.pending.size === 0) {
      // Idle: the worker must not keep the process alive.
      worker.unref();
      scheduleIdleExit(started);
    }
  });
  const failAll = () => {
    for (const resolve of started.pending.values()) resolve(0);
    started.pending.clear();
    if (counter === started) counter = undefined;
  };
  worker.on('error', failAll);
  worker.on('exit', failAll);
  return started;
}

function scheduleIdleExit(active: TokenCounter): void {
  clearTimeout(active.idleTimer);
  active.idleTimer = setTimeout(() => {
    if (active.pending.size > 0) return;
    if (counter === active) counter = undefined;
    lastIdleExit = { idleExitMs: active.idleExitMs, at: Date.now() };
    void active.worker.terminate();
  }, active.idleExitMs);
  active.idleTimer.unref();
}

export function countTextTokens(text: string): Promise<number> {
  if (text.length === 0) return Promise.resolve(0);
  counter ??= startCounter();
  const active = counter;
  clearTimeout(active.idleTimer);
  // Busy: keep the process alive until the answer arrives (a shutdown flushing the ledger waits for it).
  active.worker.ref();
  const id = active.nextId++;
  return new Promise((resolve) => {
    active.pending.set(id, resolve);
    active.worker.postMessage({ id, text });
  });
}

/** Whether the worker is running (tests; the bench reads the gateway's thread count instead). */
export function isTokenCounterRunning(): boolean {
  return counter !== undefined;
}

/** Stops the worker now (shutdown, tests). */
export async function stopTokenCounter(): Promise<void> {
  const active = counter;
  counter = undefined;
  if (active) await active.worker.terminate();
}

/** Keys whose string values are prompt text in the OpenAI and Anthropic request shapes. */
const textKeys = new Set(['content', 'text', 'system', 'arguments', 'input']);
const maxDepth = 8;

/** The prompt text of an OpenAI or Anthropic request body: every string under a content-like key, joined. */
export function collectPromptText(body: unknown): string {
  const parts: string[] = [];
  const walk = (value: unknown, depth: number, underTextKey: boolean) => {
    if (depth > maxDepth) return;
    if (typeof value === 'string') {
      if (underTextKey) parts.push(value);
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) walk(item, depth + 1, underTextKey);
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) walk(item, depth + 1, textKeys.has(key));
    }
  };
  if (body !== null && typeof body === 'object') {
    const { messages, system } = body as { messages?: unknown; system?: unknown };
    walk(messages, 0, false);
    walk(system, 0, true);
  }
  return parts.join('\n');
}
