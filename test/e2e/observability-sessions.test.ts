import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ObservedGateway, readSse, startObservedGateway } from './observability-harness.js';

/**
 * The usage ledger of resumable streams: a stream's row is written when its session ends, not when its first
 * connection does, so the tokens generated while nobody was attached are billed, and a stream that did not finish
 * is marked partial with what it produced.
 */

const key = 'sk-gw-sessions';
const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
let gateway: ObservedGateway;

beforeAll(async () => {
  gateway = await startObservedGateway({
    config: { server: { api_keys: [{ name: 'sessions', key }], sessions: { detach_timeout_ms: 1_000 } } },
  });
});
afterAll(() => gateway?.close());

/** Starts a resumable stream, reads `readEvents` data frames, drops the connection; returns its ids. */
async function startAndDrop(model: string, readEvents: number) {
  const abort = new AbortController();
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { ...headers, 'x-circuit-breaker-resumable': 'true' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'Tell me a story.' }] }),
    signal: abort.signal,
  });
  expect(response.status).toBe(200);
  const frames = await readSse(response, { stopAfter: readEvents, abort });
  return {
    requestId: response.headers.get('x-request-id')!,
    streamId: response.headers.get('x-circuit-breaker-stream-id')!,
    frames,
  };
}

async function streamState(id: string): Promise<string | undefined> {
  const response = await fetch(`${gateway.url}/v1/streams`, { headers });
  const body = (await response.json()) as { data: { id: string; state: string }[] };
  return body.data.find((stream) => stream.id === id)?.state;
}

async function waitForState(id: string, states: string[], timeoutMs = 5_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await streamState(id);
    if (state && states.includes(state)) return state;
    if (Date.now() > deadline) throw new Error(`stream ${id} still ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function rowOf(requestId: string) {
  await gateway.settle();
  return gateway.rows().find((row) => row.request_id === requestId);
}

describe('usage ledger of resumable sessions', () => {
  it('bills every token of a stream that finished detached after its client left', async () => {
    // 40 tokens at 100/s: the client leaves after 3, the rest is generated for nobody.
    const model = 'sim/sim-alpha+tps=100+tokens=40';
    const { requestId, streamId, frames } = await startAndDrop(model, 3);
    expect(frames.length).toBeLessThan(40);
    // The connection is over, the session is not: no row yet.
    expect(await rowOf(requestId)).toBeUndefined();
    expect(await waitForState(streamId, ['completed', 'failed', 'cancelled'])).toBe('completed');
    const row = await rowOf(requestId);
    expect(row).toMatchObject({ outcome: 'success', status: 200, partial: 0, stream: 1, identity: 'sessions' });
    expect(row!.completion_tokens).toBe(40);
    expect(row!.duration_ms).toBeGreaterThan(300);

    // The same answer uninterrupted is billed the same.
    const whole = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'Tell me a story.' }] }),
    });
    await whole.text();
    const reference = await rowOf(whole.headers.get('x-request-id')!);
    expect(row!.completion_tokens).toBe(reference!.completion_tokens);
    expect(row!.prompt_tokens).toBe(reference!.prompt_tokens);

    const usage = await fetch(`${gateway.url}/v1/usage?group_by=key`, { headers });
    const totals = (await usage.json()) as { data: { group: string; completionTokens: number }[] };
    expect(totals.data.find((group) => group.group === 'sessions')?.completionTokens).toBeGreaterThanOrEqual(80);
  });

  it('bills what was produced, as partial, when nobody came back within the detach timeout', async () => {
    // 60 tokens at 20/s (3 s): the detach timeout (1 s) aborts it about 20 tokens in.
    const { requestId, streamId } = await startAndDrop('sim/sim-alpha+tps=20+tokens=60', 2);
    expect(await waitForState(streamId, ['completed', 'failed', 'cancelled'])).toBe('cancelled');
    const row = await rowOf(requestId);
    expect(row).toMatchObject({ outcome: 'cancelled', status: 499, partial: 1, estimated: 1 });
    // Produced while detached, not only the 2 the client read: about a second's worth.
    expect(row!.completion_tokens).toBeGreaterThan(8);
    expect(row!.completion_tokens).toBeLessThan(60);
  });

  it('bills a stream cancelled with DELETE as partial', async () => {
    const { requestId, streamId } = await startAndDrop('sim/sim-alpha+tps=20+tokens=60', 2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const deleted = await fetch(`${gateway.url}/v1/streams/${streamId}`, { method: 'DELETE', headers });
    expect(deleted.status).toBe(200);
    await waitForState(streamId, ['cancelled']);
    const row = await rowOf(requestId);
    expect(row).toMatchObject({ outcome: 'cancelled', status: 499, partial: 1, error_code: 'CANCELLED' });
    expect(row!.completion_tokens).toBeGreaterThan(2);
    expect(row!.completion_tokens).toBeLessThan(60);
  });
});
