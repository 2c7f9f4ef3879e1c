import { performance } from 'node:perf_hooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collectSseEvents } from './collect-sse-events.js';
import { generateTokens } from './generate-text.js';
import type { SimulatorProtocol } from './simulator-types.js';
import { type SimulatorHandle, startSimulator } from './start-simulator.js';

let simulator: SimulatorHandle;

beforeAll(async () => {
  simulator = await startSimulator();
});
afterEach(() => {
  simulator.setFault(undefined);
  simulator.resetStats();
});
afterAll(() => simulator.close());

/** A streamed request of the given protocol for `model` (options go in the model suffix). */
function request(
  protocol: SimulatorProtocol,
  model: string,
  init: { stream?: boolean; signal?: AbortSignal; headers?: Record<string, string> } = {},
) {
  const stream = init.stream ?? true;
  const prompt = 'Fault prompt';
  const common = { 'content-type': 'application/json', ...init.headers };
  if (protocol === 'openai') {
    return fetch(`${simulator.url}/v1/chat/completions`, {
      method: 'POST',
      signal: init.signal,
      headers: { ...common, authorization: 'Bearer k' },
      body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: prompt }] }),
    });
  }
  if (protocol === 'anthropic') {
    return fetch(`${simulator.url}/v1/messages`, {
      method: 'POST',
      signal: init.signal,
      headers: { ...common, 'x-api-key': 'k', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model, stream, max_tokens: 8192, messages: [{ role: 'user', content: prompt }] }),
    });
  }
  const method = stream ? 'streamGenerateContent?alt=sse' : 'generateContent';
  return fetch(`${simulator.url}/v1beta/models/${encodeURIComponent(model)}:${method}`, {
    method: 'POST',
    signal: init.signal,
    headers: { ...common, 'x-goog-api-key': 'k' },
    body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: prompt }] }] }),
  });
}

/** The answer tokens in a collected stream, whatever the protocol. */
function textTokens(
  protocol: SimulatorProtocol,
  events: Awaited<ReturnType<typeof collectSseEvents>>['events'],
): string[] {
  return events.flatMap((event) => {
    const json = event.json as {
      choices?: Array<{ delta?: { content?: string } }>;
      delta?: { type?: string; text?: string };
      candidates?: Array<{ content: { parts: Array<{ text?: string }> } }>;
    };
    if (protocol === 'openai') return json?.choices?.[0]?.delta?.content ? [json.choices[0].delta.content] : [];
    if (protocol === 'anthropic') return json?.delta?.type === 'text_delta' ? [json.delta.text ?? ''] : [];
    return json?.candidates ? [json.candidates[0]!.content.parts[0]!.text ?? ''] : [];
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = performance.now();
  while (!condition()) {
    if (performance.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const protocols: SimulatorProtocol[] = ['openai', 'anthropic', 'google'];

describe('status faults answer with each provider’s own error body', () => {
  it('status:<code>', async () => {
    const openai = await request('openai', 'm+fault=status:500');
    expect(openai.status).toBe(500);
    expect(await openai.json()).toMatchObject({ error: { type: 'server_error', code: null } });
    const anthropic = await request('anthropic', 'm+fault=status:529');
    expect(anthropic.status).toBe(529);
    expect(await anthropic.json()).toMatchObject({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded' },
    });
    const google = await request('google', 'm+fault=status:503', { stream: false });
    expect(google.status).toBe(503);
    expect(await google.json()).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
    expect(simulator.stats.faults).toBe(3);
  });

  it('overloaded: Anthropic 529, others 503', async () => {
    const statuses = await Promise.all(
      protocols.map(async (protocol) => (await request(protocol, 'm+fault=overloaded')).status),
    );
    expect(statuses).toEqual([503, 529, 503]);
  });

  it('rate_limit:<seconds> sends retry-after and the 429 body (Gemini with RetryInfo)', async () => {
    const openai = await request('openai', 'm+fault=rate_limit:7');
    expect(openai.status).toBe(429);
    expect(openai.headers.get('retry-after')).toBe('7');
    expect(await openai.json()).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded' } });
    const anthropic = await request('anthropic', 'm+fault=rate_limit:7');
    expect(anthropic.headers.get('retry-after')).toBe('7');
    expect(await anthropic.json()).toMatchObject({ error: { type: 'rate_limit_error' } });
    const google = await request('google', 'm+fault=rate_limit:7');
    expect(google.status).toBe(429);
    const body = (await google.json()) as { error: { status: string; details: Array<Record<string, string>> } };
    expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(body.error.details).toContainEqual({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: '7s',
    });
  });

  it('reads options from the x-simulator-options header too', async () => {
    const response = await request('openai', 'm', { headers: { 'x-simulator-options': 'tokens=3; fault=status:502' } });
    expect(response.status).toBe(502);
  });

  it('applies fault_rate to that share of requests', async () => {
    expect((await request('openai', 'm+fault=status:500+fault_rate=0')).status).toBe(200);
    expect((await request('openai', 'm+fault=status:500+fault_rate=1')).status).toBe(500);
  });
});

describe('in-stream faults', () => {
  it.each(protocols)('drop_after:3 cuts the %s stream after 3 tokens with no end marker', async (protocol) => {
    const response = await request(protocol, 'm+fault=drop_after:3');
    expect(response.status).toBe(200);
    const { events, truncated } = await collectSseEvents(response);
    expect(truncated).toBe(true);
    expect(textTokens(protocol, events)).toEqual(generateTokens('Fault prompt', 3));
    expect(events.some((event) => event.data === '[DONE]' || event.event === 'message_stop')).toBe(false);
    await waitFor(() => simulator.stats.activeStreams === 0);
    expect(simulator.stats.aborts.count).toBe(0);
  });

  it('error_after:2 sends each provider’s in-stream error event', async () => {
    const openai = await collectSseEvents(await request('openai', 'm+fault=error_after:2'));
    expect(textTokens('openai', openai.events)).toHaveLength(2);
    expect(openai.events.at(-1)!.json).toMatchObject({ error: { type: 'server_error' } });
    const anthropic = await collectSseEvents(await request('anthropic', 'm+fault=error_after:2'));
    expect(anthropic.events.at(-1)).toMatchObject({
      event: 'error',
      json: { type: 'error', error: { type: 'overloaded_error' } },
    });
    const google = await collectSseEvents(await request('google', 'm+fault=error_after:2'));
    expect(textTokens('google', google.events.slice(0, -1))).toHaveLength(2);
    expect(google.events.at(-1)!.json).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
  });

  it('stall_before sends headers and nothing else until the client gives up', async () => {
    const controller = new AbortController();
    const response = await request('anthropic', 'm+fault=stall_before', { signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const read = reader.read().then(
      () => 'data',
      () => 'aborted',
    );
    const timeout = setTimeout(() => controller.abort(), 150);
    expect(await read).toBe('aborted');
    clearTimeout(timeout);
    await waitFor(() => simulator.stats.aborts.count === 1);
    expect(simulator.stats.aborts.records[0]).toMatchObject({ tokensWritten: 0, protocol: 'anthropic', model: 'm' });
  });

  it('stall_after:2 writes two tokens, then silence', async () => {
    const controller = new AbortController();
    const response = await request('openai', 'm+fault=stall_after:2', { signal: controller.signal });
    setTimeout(() => controller.abort(), 150);
    const { events, truncated } = await collectSseEvents(response);
    expect(truncated).toBe(true);
    expect(textTokens('openai', events)).toHaveLength(2);
    await waitFor(() => simulator.stats.aborts.count === 1);
    expect(simulator.stats.aborts.records[0]!.tokensWritten).toBe(2);
  });

  it('slow:<tps> paces the stream', async () => {
    const start = performance.now();
    await (await request('google', 'm+tokens=5+fault=slow:50')).text();
    expect(performance.now() - start).toBeGreaterThanOrEqual(70);
  });

  it('non-streamed: drop_after destroys the socket, error_after answers the provider error', async () => {
    await expect(
      request('openai', 'm+fault=drop_after:1', { stream: false }).then((response) => response.text()),
    ).rejects.toThrow();
    const anthropic = await request('anthropic', 'm+fault=error_after:1', { stream: false });
    expect(anthropic.status).toBe(529);
  });
});

describe('pacing', () => {
  it('paces 10 tokens at 100 tokens/s over roughly 90 ms, after ttft', async () => {
    const start = performance.now();
    const { events } = await collectSseEvents(await request('openai', 'm+tokens=10+tps=100+ttft=30'));
    const elapsed = performance.now() - start;
    expect(textTokens('openai', events)).toHaveLength(10);
    expect(elapsed).toBeGreaterThanOrEqual(80 + 25);
    expect(elapsed).toBeLessThan(2000);
  });

  it('streams a long unpaced answer in full', async () => {
    const { events } = await collectSseEvents(await request('anthropic', 'm+tokens=5000'));
    expect(textTokens('anthropic', events).join('')).toBe(generateTokens('Fault prompt', 5000).join(''));
    expect(simulator.stats.tokensWritten).toBe(5000);
  });
});

describe('runtime fault control and stats', () => {
  it('setFault hits matching models for `remaining` requests, then clears itself', async () => {
    simulator.setFault({ match: 'flaky', fault: 'status:503', remaining: 2 });
    expect((await request('openai', 'steady-model')).status).toBe(200);
    expect((await request('openai', 'flaky-model')).status).toBe(503);
    expect((await request('anthropic', 'flaky-model')).status).toBe(503);
    expect((await request('openai', 'flaky-model')).status).toBe(200);
    expect(() => simulator.setFault({ match: '*', fault: 'explode' })).toThrow();
  });

  it('is controlled over HTTP: POST /_simulator/fault, GET /_simulator/stats, POST /_simulator/reset', async () => {
    const set = await fetch(`${simulator.url}/_simulator/fault`, {
      method: 'POST',
      body: JSON.stringify({ match: '*', fault: 'rate_limit:2' }),
    });
    expect(await set.json()).toEqual({ fault: { match: '*', fault: 'rate_limit:2' } });
    expect((await request('google', 'g')).status).toBe(429);
    await fetch(`${simulator.url}/_simulator/fault`, { method: 'POST', body: '{}' });
    expect((await request('google', 'g')).status).toBe(200);
    const invalid = await fetch(`${simulator.url}/_simulator/fault`, { method: 'POST', body: '{"fault":"nope"}' });
    expect(invalid.status).toBe(400);

    const stats = (await (await fetch(`${simulator.url}/_simulator/stats`)).json()) as Record<string, unknown>;
    expect(stats).toMatchObject({ requests: 2, byProtocol: { google: 2 }, byModel: { g: 2 }, completed: 1, faults: 1 });
    await fetch(`${simulator.url}/_simulator/reset`, { method: 'POST' });
    expect(simulator.stats.requests).toBe(0);
  });

  it('records a client abort mid-stream with the time since the last token', async () => {
    const controller = new AbortController();
    const response = await request('openai', 'm+tokens=100+tps=50', { signal: controller.signal });
    const reader = response.body!.getReader();
    let received = '';
    while ((received.match(/"content":"[^"]/g) ?? []).length < 3) {
      received += new TextDecoder().decode((await reader.read()).value);
    }
    expect(simulator.stats.activeStreams).toBe(1);
    controller.abort();
    await waitFor(() => simulator.stats.aborts.count === 1);
    const record = simulator.stats.aborts.records[0]!;
    expect(record.tokensWritten).toBeGreaterThanOrEqual(3);
    expect(record.tokensWritten).toBeLessThan(100);
    // Paced at 20 ms per token, so this is ~20 ms plus event-loop lag; loose, because CI machines stall.
    expect(record.sinceLastTokenMs).toBeLessThan(250);
    expect(simulator.stats.activeStreams).toBe(0);
    const written = simulator.stats.tokensWritten;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(simulator.stats.tokensWritten).toBe(written);
  });

  it('answers unknown paths with 404', async () => {
    expect((await fetch(`${simulator.url}/v1/nothing`)).status).toBe(404);
    expect((await fetch(`${simulator.url}/v1beta/models`)).status).toBe(404);
  });
});

describe('lean mode', () => {
  it('serves byte-identical cached frames and the same text', async () => {
    const lean = await startSimulator({ lean: true, tokens: 50 });
    try {
      const body = JSON.stringify({ model: 'm', stream: true, messages: [{ role: 'user', content: 'lean' }] });
      const init = { method: 'POST', headers: { authorization: 'Bearer k' }, body };
      const first = await (await fetch(`${lean.url}/v1/chat/completions`, init)).text();
      const second = await (await fetch(`${lean.url}/v1/chat/completions`, init)).text();
      expect(first).toBe(second);
      expect(first).toContain(JSON.stringify(generateTokens('lean', 50)[49]));
      expect(first.endsWith('data: [DONE]\n\n')).toBe(true);
    } finally {
      await lean.close();
    }
  });
});
