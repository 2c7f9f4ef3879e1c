import { Agent } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Endpoint } from './bench-types.js';
import { holdStream } from './hold-streams.js';
import { gatewayRssAfterGc } from './measure-stage.js';
import type { BenchProcesses } from './start-bench-processes.js';

/** Long enough to outlast the opening of 1,000 streams on a busy machine and the GC readings. */
const heldShape = { tokens: 600, tokensPerSecond: 50 };
const startTimeoutMs = 8_000;

/**
 * What `streams` open paced streams retain in the gateway, per stream: its RSS after a full GC with them all open,
 * minus its RSS after a full GC just before. Unlike the ladder's peak minus before, garbage not yet collected and
 * V8's heap-growth timing do not count. The streams then run to their end (none is cut: a cut would start the
 * token counter).
 */
export async function measureRetainedPerStream(
  processes: BenchProcesses,
  endpoint: Endpoint,
  streams: number,
): Promise<number> {
  const before = await gatewayRssAfterGc(processes, 0);
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  try {
    const held = Array.from({ length: streams }, (_, index) => holdStream(agent, endpoint, heldShape, `hold${index}`));
    let startedCount = 0;
    for (const stream of held) void stream.started.then(() => startedCount++);
    await Promise.race([Promise.all(held.map((stream) => stream.started)), delay(startTimeoutMs)]);
    const open = await gatewayRssAfterGc(processes, 0);
    const perStream = startedCount > 0 ? Math.max(0, open - before) / startedCount : Number.NaN;
    await Promise.all(held.map((stream) => stream.ended));
    return perStream;
  } finally {
    agent.destroy();
  }
}
