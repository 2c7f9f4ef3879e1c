import { setTimeout as delay } from 'node:timers/promises';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GatewayServer, startGatewayServer } from '../../src/node/start-gateway-server.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/start-simulator.js';
import { type RedisServerHandle, startRedisServer } from '../support/redis-server.js';

/**
 * The `state` section through the real runtime (`startGatewayServer`): two servers on one Redis report it on
 * `/ready` and `/metrics`, stay ready while Redis is down (degraded, serving), and report it up again after.
 */

let redis: RedisServerHandle;
let simulator: SimulatorHandle;
const servers: GatewayServer[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  simulator = await startSimulator({ tokens: 4 });
  for (let index = 0; index < 2; index += 1) {
    servers.push(
      await startGatewayServer({
        config: {
          providers: { sim: { type: 'openai', base_url: `${simulator.url}/v1`, api_key: 'sim-key' } },
          models: { chat: { deployments: [{ provider: 'sim', model: 'gpt-sim' }] } },
          state: { backend: 'redis', url: '${TEST_REDIS_URL}', key_prefix: 'runtime:' },
          ledger: false,
          server: { port: 0 },
        } as never,
        env: { TEST_REDIS_URL: redis.url },
        logger: pino({ level: 'silent' }),
      }),
    );
  }
});

afterAll(async () => {
  for (const server of servers) await server.close();
  await simulator?.close();
  await redis?.stop();
});

const ready = async (server: GatewayServer) => {
  const response = await fetch(`${server.url}/ready`);
  return { status: response.status, body: (await response.json()) as { state?: { backend: string; health: string } } };
};
const metric = async (server: GatewayServer) => {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return /^circuit_breaker_shared_state_up (\d)$/m.exec(text)?.[1];
};

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(20);
  }
}

describe('state: {backend: redis} in the runtime', () => {
  it('shows Redis on /ready and /metrics, stays ready and serving while it is down, and recovers', async () => {
    const [a, b] = servers;
    expect(await ready(a)).toMatchObject({ status: 200, body: { state: { backend: 'redis', health: 'up' } } });
    expect(await metric(b)).toBe('1');

    await redis.kill();
    await waitFor(async () => (await ready(a)).body.state?.health === 'degraded');
    expect((await ready(a)).status).toBe(200);
    expect(await metric(a)).toBe('0');
    const response = await fetch(`${b.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);

    await redis.restart();
    await waitFor(async () => (await ready(a)).body.state?.health === 'up' && (await metric(b)) === '1');
  });
});
