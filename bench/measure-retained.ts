import { Agent } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Endpoint } from './bench-types.js';
import { holdStream } from './hold-streams.js';
import { gatewayRssAfterGc, readGatewayHeapAfterLastGc } from './measure-stage.js';
import type { BenchProcesses } from './start-bench-processes.js';

/** Long enough to outlast the opening of 1,000 streams on a busy machine and the GC readings. */
const heldShape = { tokens: 600, tokensPerSecond: 50 };
const startTimeoutMs = 8_000;

/** What open streams retain in the gateway, per stream, bytes. */
export interface RetainedPerStream {
  /** RSS after a full GC with the streams open, minus after a full GC before. */
  rssBytes: number;
  /** The same for V8's heap in use: a floor of what RSS must hold, and far less noisy. */
  heapBytes: number;
}

/**
 * What `streams` open paced streams retain in the gateway, per stream, measured after full GCs. Unlike the ladder's
 * peak minus before, garbage not yet collected and V8's heap-growth timing do not count. At 100 streams the RSS
 * difference is a few MB and noisy (heap pages already resident absorb it); the heap figure is not. The streams then
 * run to their end (none is cut: a cut would start the token counter).
 */
export async function measureRetainedPerStream(
  processes: BenchProcesses,
  endpoint: Endpoint,
  streams: number,
): Promise<RetainedPerStream> {
  const before = await gatewayRssAfterGc(processes, 0);
  const heapBefore = readGatewayHeapAfterLastGc(processes);
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  try {
    const held = Array.from({ length: streams }, (_, index) => holdStream(agent, endpoint, heldShape, `hold${index}`));
    let startedCount = 0;
    for (const stream of held) void stream.started.then(() => startedCount++);
    await Promise.race([Promise.all(held.map((stream) => stream.started)), delay(startTimeoutMs)]);
    const open = await gatewayRssAfterGc(processes, 0);
    const heapOpen = readGatewayHeapAfterLastGc(processes);
    const perStream = (growth: number) => (startedCount > 0 ? Math.max(0, growth) / startedCount : Number.NaN);
    await Promise.all(held.map((stream) => stream.ended));
    return { rssBytes: perStream(open - before), heapBytes: perStream(heapOpen - heapBefore) };
  } finally {
    agent.destroy();
  }
}
