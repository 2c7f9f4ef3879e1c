import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/core/router/create-router.js';
import { createSharedState, resolveStateConfig, type SharedState } from '../../src/node/redis/create-shared-state.js';
import { createGateway } from '../../src/server/create-gateway.js';
import { createObservability } from '../../src/server/observability/create-observability.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/start-simulator.js';
import { type RedisServerHandle, startRedisServer } from '../support/redis-server.js';

/**
 * What the Redis backend costs a request, measured the same way for both backends: sequential streamed requests
 * (time to first byte and to the end) through one gateway instance, memory store vs Redis store, both with a
 * requests-per-minute limit (the one Redis round trip a request waits for). The numbers in docs/deploy.md come
 * from this test's output: `npx vitest run test/e2e/redis-latency-cost.test.ts`.
 */

const requests = 60;
let redis: RedisServerHandle;
let simulator: SimulatorHandle;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  simulator = await startSimulator({ tokens: 8 });
});
afterAll(async () => {
  for (const close of closers) await close();
  await simulator?.close();
  await redis?.stop();
});

async function startInstance(backend: 'memory' | 'redis'): Promise<string> {
  const shared: SharedState = await createSharedState({
    config: resolveStateConfig({ backend, url: redis.url, key_prefix: 'cost:' }, {}),
  });
  const router = createRouter(
    {
      providers: { sim: { type: 'openai', base_url: `${simulator.url}/v1`, api_key: 'sim-key' } },
      models: { chat: { deployments: [{ provider: 'sim', model: 'gpt-sim' }] } },
    },
    { store: shared.stateStore, env: {} },
  );
  const observability = createObservability({
    router,
    limits: { keys: { '*': { requests_per_minute: 1_000_000 } } },
    limitStore: shared.limitStore,
  });
  const gateway = createGateway({ router, observability });
  const server: Server = createServer(gateway.handleRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await shared.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function measure(url: string): Promise<{ firstByte: number[]; total: number[] }> {
  const firstByte: number[] = [];
  const total: number[] = [];
  const body = JSON.stringify({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  for (let index = 0; index < requests; index += 1) {
    const started = performance.now();
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const reader = response.body!.getReader();
    let first = 0;
    for (;;) {
      const { done } = await reader.read();
      if (first === 0) first = performance.now() - started;
      if (done) break;
    }
    expect(response.status).toBe(200);
    // The first 10 warm up the JIT and the connections.
    if (index >= 10) {
      firstByte.push(first);
      total.push(performance.now() - started);
    }
  }
  return { firstByte, total };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
};

describe('latency cost of the Redis backend', () => {
  it('adds about one Redis round trip to a limited request, and nothing per token', async () => {
    const memoryUrl = await startInstance('memory');
    const redisUrl = await startInstance('redis');
    // Interleaved runs, so that a busy moment of the machine hits both backends alike.
    const memory = { firstByte: [] as number[], total: [] as number[] };
    const shared = { firstByte: [] as number[], total: [] as number[] };
    for (let round = 0; round < 2; round += 1) {
      const m = await measure(memoryUrl);
      const r = await measure(redisUrl);
      memory.firstByte.push(...m.firstByte);
      memory.total.push(...m.total);
      shared.firstByte.push(...r.firstByte);
      shared.total.push(...r.total);
    }
    const line = (name: string, run: typeof memory) =>
      `${name}: first byte p50 ${percentile(run.firstByte, 0.5).toFixed(2)} ms p95 ${percentile(run.firstByte, 0.95).toFixed(2)} ms; ` +
      `whole stream p50 ${percentile(run.total, 0.5).toFixed(2)} ms p95 ${percentile(run.total, 0.95).toFixed(2)} ms`;
    console.log(`${line('memory', memory)}\n${line('redis ', shared)}`);
    const overhead = percentile(shared.firstByte, 0.5) - percentile(memory.firstByte, 0.5);
    console.log(`redis backend overhead at p50 (first byte): ${overhead.toFixed(2)} ms`);
    expect(overhead).toBeLessThan(25);
  }, 60_000);
});
