/**
 * The leak measurement behind sessions-leak.test.ts, run in its own process with `--expose-gc` so that the heap
 * is measured after real collections: 10,000 resumable sessions are streamed to completion (bounded concurrency,
 * an unpaced simulator), left to expire (short retention), then the heap and the active handles are compared with a
 * baseline taken after a warm-up of the same shape. Prints one JSON line.
 *
 *   node --expose-gc --import tsx test/e2e/sessions-leak-run.ts [sessions]
 */
import { Agent, request } from 'node:http';
import { startSimulator } from '../../src/simulator/start-simulator.js';
import { chatBody, sleep, startHarness } from './sessions-harness.js';

const total = Number(process.argv[2] ?? 10_000);
const concurrency = 50;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

/**
 * The upstream: the simulator's own bytes for one answer, recorded once over a socket, then served from memory by
 * the router's injected fetch. A real upstream connection per stream caps this at ~80 streams/s (router + simulator
 * over loopback), which would make 10,000 sessions take minutes; the sessions under test are the same either way.
 */
const recorder = await startSimulator({ port: 0, tokens: 5 });
const recorded = await (
  await fetch(`${recorder.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
    body: JSON.stringify(chatBody('gpt-sim')),
  })
).arrayBuffer();
await recorder.close();
const replayFetch: typeof fetch = async () =>
  new Response(recorded.slice(0), { status: 200, headers: { 'content-type': 'text/event-stream' } });

const harness = await startHarness({
  gateway: { sessions: { resume: 'always', retentionMs: 100 } },
  simulator: { tokens: 5 },
  fetch: replayFetch,
});

function stream(agent: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`${harness.url}/v1/chat/completions`, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json' },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (text) => {
        body += text;
      });
      res.on('end', () => (body.endsWith('data: [DONE]\n\n') ? resolve() : reject(new Error(body.slice(-200)))));
    });
    req.end(JSON.stringify(chatBody('openai/gpt-sim')));
  });
}

async function run(count: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next += 1;
        await stream(agent);
      }
    }),
  );
  agent.destroy();
}

async function settle(): Promise<{ heapUsed: number; resources: Record<string, number> }> {
  while (harness.gateway.sessions.size() > 0) await sleep(20);
  await sleep(300);
  for (let i = 0; i < 5; i++) {
    gc!();
    await sleep(20);
  }
  const resources: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) resources[name] = (resources[name] ?? 0) + 1;
  return { heapUsed: process.memoryUsage().heapUsed, resources };
}

const startedAt = performance.now();
await run(Math.min(1_000, total));
const baseline = await settle();
await run(total);
const after = await settle();
const result = {
  sessions: total,
  durationMs: Math.round(performance.now() - startedAt),
  baselineHeapBytes: baseline.heapUsed,
  afterHeapBytes: after.heapUsed,
  heapGrowthBytes: after.heapUsed - baseline.heapUsed,
  baselineResources: baseline.resources,
  afterResources: after.resources,
  sessionsHeld: harness.gateway.sessions.size(),
};
await harness.close();
console.log(JSON.stringify(result));
