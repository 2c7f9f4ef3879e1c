import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  metricValue,
  type ObservedGateway,
  openAIBody,
  readSse,
  startObservedGateway,
} from './observability-harness.js';

/** Metrics, readiness and limits over real sockets: the simulator paces streams so the gauges can be watched. */

let gateway: ObservedGateway;
const key = 'sk-gw-metrics';
const auth = { authorization: `Bearer ${key}` };

beforeAll(async () => {
  gateway = await startObservedGateway({
    simulator: { tokens: 20, tokensPerSecond: 40, ttftMs: 30 },
    config: {
      server: { api_keys: [{ name: 'ops', key }] },
      circuit_breaker: { failure_threshold: 2, cooldown_ms: 60_000 },
    },
  });
});
afterAll(() => gateway?.close());

const scrape = async () => {
  const response = await fetch(`${gateway.url}/metrics`, { headers: auth });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return response.text();
};

const stream = (model = 'duo') =>
  fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ ...openAIBody(model, true), stream_options: { include_usage: true } }),
  });

describe('metrics', () => {
  it('needs the key unless configured public', async () => {
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(401);
  });

  it('moves while a paced stream runs: active streams up then back to 0, counters, TTFT and ITL histograms', async () => {
    const before = await scrape();
    const response = await stream();
    expect(response.status).toBe(200);
    const during = await scrape();
    expect(metricValue(during, 'circuit_breaker_active_streams', { route: '/v1/chat/completions' })).toBe(1);
    await readSse(response);
    await gateway.settle();
    const after = await scrape();
    expect(metricValue(after, 'circuit_breaker_active_streams')).toBe(0);
    const requests = { route: '/v1/chat/completions', model: 'duo', deployment: 'sim/sim-alpha', outcome: 'success' };
    expect(metricValue(after, 'circuit_breaker_requests_total', requests)).toBe(
      metricValue(before, 'circuit_breaker_requests_total', requests) + 1,
    );
    const ttftCount = 'circuit_breaker_time_to_first_token_seconds_count';
    expect(metricValue(after, ttftCount, { deployment: 'sim/sim-alpha' })).toBe(
      metricValue(before, ttftCount, { deployment: 'sim/sim-alpha' }) + 1,
    );
    // 20 tokens at 40/s: gaps of ≈25 ms between chunks.
    const itlCount = metricValue(after, 'circuit_breaker_inter_token_latency_seconds_count');
    expect(itlCount).toBeGreaterThanOrEqual(19);
    const itlSum = metricValue(after, 'circuit_breaker_inter_token_latency_seconds_sum');
    expect(itlSum / itlCount).toBeGreaterThan(0.005);
    expect(metricValue(after, 'circuit_breaker_completion_tokens_total', { model: 'duo' })).toBeGreaterThanOrEqual(
      metricValue(before, 'circuit_breaker_completion_tokens_total', { model: 'duo' }) + 20,
    );
    expect(metricValue(after, 'circuit_breaker_prompt_tokens_total', { model: 'duo' })).toBeGreaterThan(0);
  });

  it('collapses unknown model names into "other" (bounded labels)', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify(openAIBody('sim/free-text-model-name-1234', false)),
    });
    await response.text();
    await gateway.settle();
    const text = await scrape();
    expect(text).not.toContain('free-text-model-name-1234');
    expect(metricValue(text, 'circuit_breaker_requests_total', { model: 'other', deployment: 'sim/other' })).toBe(1);
  });

  it('counts upstream errors by code, fallbacks to the second deployment, and the circuit state on an outage', async () => {
    gateway.simulator.setFault({ match: 'sim-alpha', fault: 'status:503' });
    try {
      for (let index = 0; index < 4; index++) {
        const response = await stream();
        expect(response.status).toBe(200);
        expect(response.headers.get('x-circuit-breaker-deployment')).toBe('sim/sim-beta');
        await readSse(response);
      }
    } finally {
      gateway.simulator.setFault(undefined);
    }
    await gateway.settle();
    const text = await scrape();
    expect(
      metricValue(text, 'circuit_breaker_upstream_errors_total', {
        deployment: 'sim/sim-alpha',
        code: 'UPSTREAM_STATUS',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      metricValue(text, 'circuit_breaker_requests_total', { deployment: 'sim/sim-beta', outcome: 'success' }),
    ).toBe(4);
    if (typeof (gateway.server.router as { deployments?: unknown }).deployments === 'function') {
      // With the breaker in the router: two failures open sim-alpha's circuit, the rest skip it.
      expect(metricValue(text, 'circuit_breaker_circuit_state', { deployment: 'sim/sim-alpha' })).toBe(2);
      expect(metricValue(text, 'circuit_breaker_circuit_state', { deployment: 'sim/sim-beta' })).toBe(0);
      const ready = await fetch(`${gateway.url}/ready`);
      expect(ready.status).toBe(200);
    }
  });

  it('/ready answers 200 with the deployments, without a key', async () => {
    const response = await fetch(`${gateway.url}/ready`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; deployments: { key: string }[] };
    expect(body.status).toBe('ready');
    expect(body.deployments.map((deployment) => deployment.key)).toContain('sim/sim-beta');
  });
});
