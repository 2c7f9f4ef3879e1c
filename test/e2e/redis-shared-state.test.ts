import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBreakerState } from '../../src/core/resilience/circuit-breaker-state.js';
import type { RouterConfigInput } from '../../src/core/router/config-schema.js';
import { createRouter } from '../../src/core/router/create-router.js';
import type { StateChange } from '../../src/core/state/state-store.js';
import { createSharedState, resolveStateConfig, type SharedState } from '../../src/node/redis/create-shared-state.js';
import { createGateway, type Gateway } from '../../src/server/create-gateway.js';
import { createObservability } from '../../src/server/observability/create-observability.js';
import { defaultSessionSettings } from '../../src/server/sessions/session-settings.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/start-simulator.js';
import { type RedisServerHandle, startRedisServer } from '../support/redis-server.js';

/**
 * Three gateway instances on loopback sharing one real redis-server, the provider simulator upstream: a circuit
 * opened on one stops traffic from all, a rate limit holds across all, and Redis dying mid-run fails no request.
 */

interface Instance {
  url: string;
  shared: SharedState;
  gateway: Gateway;
  server: Server;
}

const apiKey = 'gateway-key';
const limitedKey = 'gateway-key-limited';
let redis: RedisServerHandle;
let simulator: SimulatorHandle;
const instances: Instance[] = [];

const routerConfig = (simulatorUrl: string): RouterConfigInput => ({
  providers: { sim: { type: 'openai', base_url: `${simulatorUrl}/v1`, api_key: 'sim-key' } },
  models: {
    chat: { deployments: [{ provider: 'sim', model: 'gpt-sim' }] },
    // The circuit test's own deployment, so that its open circuit does not hold up the other tests.
    flaky: { deployments: [{ provider: 'sim', model: 'gpt-sim+tokens=4' }] },
    // 12 tokens at 24/s: a stream lasts about half a second, long enough for Redis to die in its middle.
    slow: { deployments: [{ provider: 'sim', model: 'gpt-sim+tps=24+tokens=12' }] },
  },
  circuit_breaker: { failure_threshold: 3, cooldown_ms: 3_000 },
  retry: { attempts: 0 },
});

async function startInstance(): Promise<Instance> {
  const shared = await createSharedState({
    config: resolveStateConfig({ backend: 'redis', url: redis.url, key_prefix: 'e2e:', connect_wait_ms: 2_000 }, {}),
  });
  const router = createRouter(routerConfig(simulator.url), { store: shared.stateStore, env: {} });
  const observability = createObservability({
    router,
    limits: { keys: { limited: { requests_per_minute: 20 } } },
    limitStore: shared.limitStore,
  });
  const gateway = createGateway({
    router,
    observability,
    apiKeys: [apiKey, { name: 'limited', key: limitedKey }],
    sessionJournal: shared.sessionJournal(defaultSessionSettings),
  });
  const server = createServer(gateway.handleRequest);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, shared, gateway, server };
}

beforeAll(async () => {
  redis = await startRedisServer();
  simulator = await startSimulator({ tokens: 8 });
  for (let index = 0; index < 3; index += 1) instances.push(await startInstance());
});

afterAll(async () => {
  for (const instance of instances) {
    instance.gateway.abortAll();
    instance.server.closeAllConnections();
    await new Promise((resolve) => instance.server.close(resolve));
    await instance.shared.close();
  }
  await simulator?.close();
  await redis?.stop();
});

async function chat(
  instance: Instance,
  options: { stream?: boolean; model?: string; key?: string; resumable?: boolean } = {},
): Promise<{ status: number; text: string }> {
  const response = await fetch(`${instance.url}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${options.key ?? apiKey}`,
      'x-circuit-breaker-resumable': String(options.resumable ?? false),
    },
    body: JSON.stringify({
      model: options.model ?? 'chat',
      stream: options.stream ?? false,
      messages: [{ role: 'user', content: 'hello' }],
    }),
  });
  return { status: response.status, text: await response.text() };
}

async function flushAll(): Promise<void> {
  await Promise.all(instances.map((instance) => instance.shared.stateStore.flush?.()));
}

describe('gateway instances sharing Redis', () => {
  it('stops traffic from every instance when one opens a circuit, within the measured bound', async () => {
    const [a, b, c] = instances;
    const seenOpen = new Map<Instance, number>();
    const stops = [b, c].map((instance) =>
      instance.shared.stateStore.subscribe!((change: StateChange) => {
        if (change.kind === 'breaker' && change.state.state === 'open' && !seenOpen.has(instance)) {
          seenOpen.set(instance, performance.now());
        }
      }),
    );
    let openedAt = 0;
    const stopA = a.shared.stateStore.subscribe!((change) => {
      if (change.kind === 'breaker' && change.state.state === 'open' && openedAt === 0) openedAt = performance.now();
    });

    simulator.setFault({ match: '*', fault: 'status:503' });
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await chat(a, { model: 'flaky' })).status).toBe(503);
    simulator.setFault(undefined);
    expect(openedAt).toBeGreaterThan(0);
    for (let waited = 0; seenOpen.size < 2 && waited < 1_000; waited += 1) await delay(1);
    const propagation = [...seenOpen.values()].map((at) => at - openedAt);
    console.log(`circuit opened on A reached B and C in ${propagation.map((ms) => ms.toFixed(2)).join(' / ')} ms`);
    expect(propagation).toHaveLength(2);
    // Typically a few ms (docs/deploy.md); the bound leaves room for a loaded CI machine running test files in parallel.
    expect(Math.max(...propagation)).toBeLessThan(250);

    // During the cooldown nobody sends: the simulator sees no request from B or C (nor A).
    simulator.resetStats();
    const refused = await Promise.all([b, c, b, c, a].map((instance) => chat(instance, { model: 'flaky' })));
    for (const response of refused) {
      expect(response.status).toBe(503);
      expect(response.text).toMatch(/circuit/i);
    }
    expect(simulator.stats.requests).toBe(0);
    for (const stop of [...stops, stopA]) stop();
  });

  it('holds a rate limit across instances together', async () => {
    // 20 requests per minute for the (anonymous) key, spread over three instances: 20 pass, the rest are 429.
    const statuses: number[] = [];
    for (let round = 0; round < 10; round += 1) {
      const responses = await Promise.all(instances.map((instance) => limitProbe(instance)));
      statuses.push(...responses);
    }
    expect(statuses.filter((status) => status !== 429)).toHaveLength(20);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10);
  });

  it('fails no request while Redis is killed mid-run and restarted; the instances re-sync after', async () => {
    const [a, b] = instances;
    const streams = Array.from({ length: 12 }, (_, index) =>
      // Every stream must complete: the simulator paces the tokens so that the outage falls in the middle.
      fetchStream(instances[index % 3], index % 2 === 0),
    );
    await delay(50);
    await redis.kill();
    const during = await Promise.all(instances.map((instance, index) => fetchStream(instance, index === 0)));
    await waitFor(() => instances.every((instance) => instance.shared.status().health === 'degraded'));
    // Local state serves meanwhile: a circuit opened now on A is A's alone (documented in docs/deploy.md).
    await redis.restart();
    await waitFor(() => instances.every((instance) => instance.shared.status().health === 'up'), 5_000);
    for (const result of [...(await Promise.all(streams)), ...during]) {
      expect(result.status).toBe(200);
      expect(result.text).toContain('[DONE]');
    }
    // After the return the sharing works again: a breaker change on B reaches A.
    b.shared.stateStore.updateBreaker('resync-probe', () => createBreakerState(Date.now()));
    await waitFor(() => a.shared.stateStore.getBreaker('resync-probe') !== undefined);
    await flushAll();
  });
});

async function limitProbe(instance: Instance): Promise<number> {
  return (await chat(instance, { key: limitedKey })).status;
}

/** Half of them resumable: their events go to the session journal, which must not hold them up either. */
function fetchStream(instance: Instance, resumable = false): Promise<{ status: number; text: string }> {
  return chat(instance, { stream: true, model: 'slow', resumable });
}

async function waitFor(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(10);
  }
}
