import { type ChildProcess, spawn } from 'node:child_process';
import { setPriority } from 'node:os';

/**
 * Token counts for what a provider did not report: the text a cut stream delivered, and the prompt of a request
 * that failed before usage arrived. `gpt-tokenizer` (o200k_base) runs in a child process started on first use:
 * loading its tables costs ~70 MB and 0.7–5 s of CPU, which on the main thread would stall every live stream, and
 * at startup would triple the gateway's idle memory. A process, not a worker thread: a worker's exit leaves 25–37 MB
 * of the gateway's malloc arenas resident for good (fragmented by compiling the 4.6 MB tables module), a process's
 * exit gives everything back. For non-OpenAI models the count is an estimate, which is what a partial row is
 * flagged for.
 */

/** A counter that goes idle after a one-off burst of cuts exits soon, so that its memory goes back. */
const quickIdleExitMs = 5_000;
/** The longest idle wait: a counter needed again and again stays, instead of reloading its tables every few seconds. */
const longestIdleExitMs = 60_000;

/** When the last counter exited for being idle, and how long it had waited. */
interface IdleExit {
  idleExitMs: number;
  at: number;
}

/**
 * How long the next counter waits idle before it exits: quick at first; doubled (up to a minute) each time one is
 * started again within a minute of the last one's exit, which bounds the reload cost under steady cuts.
 */
export function nextIdleExitMs(lastExit: IdleExit | undefined, now: number): number {
  if (lastExit === undefined || now - lastExit.at >= longestIdleExitMs) return quickIdleExitMs;
  return Math.min(lastExit.idleExitMs * 2, longestIdleExitMs);
}

interface TokenCounter {
  child: ChildProcess;
  /** Each batch sent and not yet answered: its texts' resolvers, in order. */
  pending: Map<number, Array<(count: number) => void>>;
  nextId: number;
  idleExitMs: number;
  idleTimer?: ReturnType<typeof setTimeout>;
}

let counter: TokenCounter | undefined;
let lastIdleExit: IdleExit | undefined;

// Exits with the gateway: the IPC channel closes when the parent goes, however it goes.
const counterSource = `
import(process.argv[1]).then(({ countTokens }) => {
  process.on('message', ({ id, texts }) => process.send({ id, counts: texts.map((text) => countTokens(text)) }));
  process.on('disconnect', () => process.exit(0));
});
`;

/** Keeps the gateway alive while counts are pending (a shutdown flushing the ledger waits for them), not when idle. */
function holdProcess(child: ChildProcess, hold: boolean): void {
  const channel = child.channel as { ref(): void; unref(): void } | undefined;
  if (hold) {
    child.ref();
    channel?.ref();
  } else {
    child.unref();
    channel?.unref();
  }
}

function startCounter(): TokenCounter {
  // Only the tokenizer's URL: none of the gateway's flags (--cpu-prof, preloads) nor its environment (keys).
  const child = spawn(process.execPath, ['-e', counterSource, import.meta.resolve('gpt-tokenizer')], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    env: {},
  });
  lowerPriority(child);
  const started: TokenCounter = {
    child,
    pending: new Map(),
    nextId: 0,
    idleExitMs: nextIdleExitMs(lastIdleExit, Date.now()),
  };
  holdProcess(child, false);
  child.on('message', (message: { id?: number; counts?: number[] }) => {
    if (message.id === undefined) return;
    const resolvers = started.pending.get(message.id) ?? [];
    for (let index = 0; index < resolvers.length; index++) resolvers[index]?.(message.counts?.[index] ?? 0);
    started.pending.delete(message.id);
    if (started.pending.size === 0) {
      holdProcess(child, false);
      scheduleIdleExit(started);
    }
  });
  const failAll = () => {
    for (const resolvers of started.pending.values()) for (const resolve of resolvers) resolve(0);
    started.pending.clear();
    if (counter === started) counter = undefined;
  };
  child.on('error', failAll);
  child.on('exit', failAll);
  return started;
}

/**
 * Counting is bookkeeping and must never take CPU from live streams: loading the tables takes a core for up to
 * seconds, and it starts exactly when streams are being cut, when the gateway must reach each upstream at once.
 */
function lowerPriority(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    setPriority(child.pid, 19);
  } catch {
    // Not permitted here (some sandboxes): counts still come, only at normal priority.
  }
}

function scheduleIdleExit(active: TokenCounter): void {
  clearTimeout(active.idleTimer);
  active.idleTimer = setTimeout(() => {
    if (active.pending.size > 0) return;
    if (counter === active) counter = undefined;
    lastIdleExit = { idleExitMs: active.idleExitMs, at: Date.now() };
    active.child.kill();
  }, active.idleExitMs);
  active.idleTimer.unref();
}

/**
 * Texts to count, sent together at the end of this turn of the event loop. A burst of cut streams finishes many in
 * one turn; one message each was one pipe write each, and each write woke the counter (0.6 ms per count in the
 * gateway's profile of 200 cuts, most of it in the write).
 */
let batch: { texts: string[]; resolvers: Array<(count: number) => void> } | undefined;

/**
 * With no counter running, counts wait until texts stop coming for this long (or {@link startDeferMaxMs}) before one
 * is started. Why: `spawn` forks the gateway, which blocks its event loop for as long as copying its page tables
 * takes (31–35 ms at 300 MB RSS, more under load), and the first count comes with the first cut stream, in the middle
 * of a burst of disconnects whose upstream aborts must all go out at once. A count is bookkeeping; it can wait.
 */
const startQuietMs = 100;
/** The longest counts wait for a counter to be started, however steadily texts keep coming. */
const startDeferMaxMs = 1_000;

/** Batches waiting for the counter's start, and when the first of them came. */
let deferred: { batches: NonNullable<typeof batch>[]; since: number; timer: ReturnType<typeof setTimeout> } | undefined;

function sendBatch(): void {
  const sending = batch;
  batch = undefined;
  if (!sending) return;
  if (!counter) {
    deferStart(sending);
    return;
  }
  sendToCounter(counter, sending);
}

function deferStart(waiting: NonNullable<typeof batch>): void {
  const now = Date.now();
  const since = deferred?.since ?? now;
  const batches = deferred?.batches ?? [];
  if (deferred) clearTimeout(deferred.timer);
  batches.push(waiting);
  // Referenced (unlike the idle timer): a shutdown that flushes the ledger waits for these counts.
  const wait = Math.min(startQuietMs, Math.max(0, since + startDeferMaxMs - now));
  deferred = { batches, since, timer: setTimeout(startDeferred, wait) };
}

function startDeferred(): void {
  const waiting = deferred;
  deferred = undefined;
  if (!waiting) return;
  counter ??= startCounter();
  for (const each of waiting.batches) sendToCounter(counter, each);
}

function sendToCounter(active: TokenCounter, sending: NonNullable<typeof batch>): void {
  clearTimeout(active.idleTimer);
  holdProcess(active.child, true);
  const id = active.nextId++;
  active.pending.set(id, sending.resolvers);
  active.child.send({ id, texts: sending.texts });
}

export function countTextTokens(text: string): Promise<number> {
  if (text.length === 0) return Promise.resolve(0);
  if (!batch) {
    batch = { texts: [], resolvers: [] };
    setImmediate(sendBatch);
  }
  const { texts, resolvers } = batch;
  texts.push(text);
  return new Promise((resolve) => {
    resolvers.push(resolve);
  });
}

/** Whether the counter process is running (tests; the bench reads the gateway's thread count instead). */
export function isTokenCounterRunning(): boolean {
  return counter !== undefined;
}

/** The counter process's pid while it runs (tests). */
export function tokenCounterPid(): number | undefined {
  return counter?.child.pid;
}

/** Stops the counter now (shutdown, tests). */
export async function stopTokenCounter(): Promise<void> {
  // Counts still waiting for a counter get none, as when a counter exits mid-count.
  const waiting = deferred;
  deferred = undefined;
  if (waiting) {
    clearTimeout(waiting.timer);
    for (const each of waiting.batches) for (const resolve of each.resolvers) resolve(0);
  }
  const active = counter;
  counter = undefined;
  if (!active || active.child.exitCode !== null || active.child.signalCode !== null) return;
  await new Promise((resolve) => {
    active.child.once('exit', resolve);
    // An idle counter does not hold the gateway; its exit, awaited here, must.
    holdProcess(active.child, true);
    active.child.kill();
  });
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
