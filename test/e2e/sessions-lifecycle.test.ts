import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayOptions } from '../../src/server/create-gateway.js';
import { chatBody, type Harness, requestJson, requestSse, sleep, startHarness, waitUntil } from './sessions-harness.js';

/**
 * A session's life over real sockets, the simulator as upstream (its `stats.aborts` is what the upstream saw):
 * cancel, detach timeout, retention, caps, and the non-resumable stream's immediate abort on disconnect.
 */

const resumable = { 'x-circuit-breaker-resumable': 'true' };
/** 20 tokens/s: a stream that is still running when the test acts on it. */
const slowModel = 'openai/gpt-sim+tps=20+tokens=200';

let harness: Harness | undefined;

async function start(sessions: GatewayOptions['sessions'] = {}): Promise<Harness> {
  harness = await startHarness({ gateway: { sessions } });
  return harness;
}

afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** Starts a stream and resolves with its id once the first event arrived; the reading goes on in `reading`. */
async function startStream(h: Harness, options: { model?: string; headers?: Record<string, string> } = {}) {
  let resolveId: (id: string) => void = () => {};
  const idPromise = new Promise<string>((resolve) => {
    resolveId = resolve;
  });
  const reading = requestSse({
    url: `${h.url}/v1/chat/completions`,
    headers: options.headers ?? resumable,
    body: chatBody(options.model ?? slowModel),
  });
  // The id is in the headers; poll the list (the only owner here is anonymous) until the stream shows up with an event.
  void (async () => {
    for (;;) {
      const { body } = await requestJson(`${h.url}/v1/streams`);
      const live = body.data.find((stream: { last_event_id: number; state: string }) => stream.last_event_id >= 0);
      if (live) return resolveId(live.id);
      await sleep(5);
    }
  })();
  return { id: await idPromise, reading };
}

describe('cancel', () => {
  it('DELETE aborts the upstream at once and the attached client gets a stream_cancelled event', async () => {
    const h = await start();
    const { id, reading } = await startStream(h);
    const before = h.simulator.stats.aborts.count;
    const deleted = await requestJson(`${h.url}/v1/streams/${id}`, { method: 'DELETE' });
    expect(deleted).toEqual({ status: 200, body: { id, object: 'stream.deleted', deleted: true } });
    const result = await reading;
    const last = result.events.at(-1)!;
    expect(JSON.parse(last.data).error.code).toBe('stream_cancelled');
    expect(last.id).toBe(result.events.length - 1);
    await waitUntil(() => h.simulator.stats.aborts.count > before);
    const listed = (await requestJson(`${h.url}/v1/streams`)).body.data.find((s: { id: string }) => s.id === id);
    expect(listed.state).toBe('cancelled');
  });

  it('an Anthropic stream gets event: error on cancel', async () => {
    const h = await start();
    const reading = requestSse({
      url: `${h.url}/v1/messages`,
      headers: resumable,
      body: {
        model: 'anthropic/claude-sim+tps=20',
        max_tokens: 500,
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      },
    });
    let id: string | undefined;
    while (!id) {
      id = (await requestJson(`${h.url}/v1/streams`)).body.data.find(
        (s: { last_event_id: number }) => s.last_event_id >= 2,
      )?.id;
      await sleep(5);
    }
    await requestJson(`${h.url}/v1/streams/${id}`, { method: 'DELETE' });
    const result = await reading;
    expect(result.events.at(-1)!.event).toBe('error');
    expect(result.events.some((event) => event.event === 'message_stop')).toBe(false);
  });
});

describe('detach', () => {
  it('keeps generating for a while after a disconnect, then aborts the upstream when nobody came back', async () => {
    const h = await start({ detachTimeoutMs: 300 });
    const cut = await requestSse({
      url: `${h.url}/v1/chat/completions`,
      headers: resumable,
      body: chatBody(slowModel),
      cutAfter: 2,
    });
    const cutAt = performance.now();
    const id = cut.headers['x-circuit-breaker-stream-id'] as string;
    await sleep(150);
    expect(h.simulator.stats.aborts.count).toBe(0);
    const detached = (await requestJson(`${h.url}/v1/streams`)).body.data[0];
    expect(detached).toMatchObject({ id, state: 'detached' });
    await waitUntil(() => h.simulator.stats.aborts.count === 1, 3_000);
    expect(performance.now() - cutAt).toBeGreaterThanOrEqual(290);
    // What was generated stays readable: it ends with the cancellation error, not [DONE].
    const rest = await requestSse({ url: `${h.url}/v1/streams/${id}?last_event_id=1` });
    expect(rest.events.at(-1)!.data).toContain('"error"');
  });

  it('a reconnect within the timeout keeps the stream going to its end', async () => {
    const h = await start({ detachTimeoutMs: 300 });
    const cut = await requestSse({
      url: `${h.url}/v1/chat/completions`,
      headers: resumable,
      body: chatBody('openai/gpt-sim+tps=100+tokens=60'),
      cutAfter: 2,
    });
    await sleep(200);
    const rest = await requestSse({
      url: `${h.url}/v1/streams/${cut.headers['x-circuit-breaker-stream-id']}`,
      headers: { 'last-event-id': '1' },
    });
    expect(rest.events.at(-1)!.data).toBe('[DONE]');
    expect(h.simulator.stats.aborts.count).toBe(0);
  });

  it('a non-resumable stream aborts the upstream within 100 ms of the disconnect', async () => {
    const h = await start();
    await requestSse({ url: `${h.url}/v1/chat/completions`, body: chatBody(slowModel), cutAfter: 2 });
    const cutAt = performance.timeOrigin + performance.now();
    await waitUntil(() => h.simulator.stats.aborts.count === 1, 1_000);
    expect(h.simulator.stats.aborts.records[0].at - cutAt).toBeLessThan(100);
    expect(h.gateway.sessions.size()).toBe(0);
  });
});

describe('retention and caps', () => {
  it('keeps a finished session for retention_ms, then forgets it', async () => {
    const h = await start({ retentionMs: 300 });
    const done = await requestSse({
      url: `${h.url}/v1/chat/completions`,
      headers: resumable,
      body: chatBody('openai/gpt-sim'),
    });
    const id = done.headers['x-circuit-breaker-stream-id'] as string;
    expect((await requestSse({ url: `${h.url}/v1/streams/${id}?last_event_id=0` })).status).toBe(200);
    await sleep(450);
    expect((await requestSse({ url: `${h.url}/v1/streams/${id}` })).status).toBe(404);
    expect(h.gateway.sessions.size()).toBe(0);
  });

  it('over max_events a live stream stops being resumable; the attached client still gets everything', async () => {
    const h = await start({ maxEvents: 10 });
    const done = await requestSse({
      url: `${h.url}/v1/chat/completions`,
      headers: resumable,
      body: chatBody('openai/gpt-sim+tokens=30'),
    });
    expect(done.events.at(-1)!.data).toBe('[DONE]');
    expect(done.events.length).toBeGreaterThan(30);
    const id = done.headers['x-circuit-breaker-stream-id'] as string;
    // Finished and not resumable: nothing to keep, removed at once.
    expect((await requestSse({ url: `${h.url}/v1/streams/${id}?last_event_id=3` })).status).toBe(404);
  });

  it('over max_bytes while detached the upstream is aborted (nobody could read the rest)', async () => {
    const h = await start({ maxBytes: 4_000, detachTimeoutMs: 60_000 });
    await requestSse({
      url: `${h.url}/v1/chat/completions`,
      headers: resumable,
      body: chatBody('openai/gpt-sim+tps=200+tokens=400'),
      cutAfter: 2,
    });
    await waitUntil(() => h.simulator.stats.aborts.count === 1, 3_000);
    expect(h.gateway.sessions.size()).toBe(0);
  });

  it('at max_sessions the oldest finished session goes first; when all are live a new stream gets 503', async () => {
    const h = await start({ maxSessions: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const done = await requestSse({
        url: `${h.url}/v1/chat/completions`,
        headers: resumable,
        body: chatBody('openai/gpt-sim'),
      });
      ids.push(done.headers['x-circuit-breaker-stream-id'] as string);
    }
    const third = await requestSse({
      url: `${h.url}/v1/chat/completions`,
      headers: resumable,
      body: chatBody('openai/gpt-sim'),
    });
    expect(third.status).toBe(200);
    expect((await requestSse({ url: `${h.url}/v1/streams/${ids[0]}` })).status).toBe(404);
    expect((await requestSse({ url: `${h.url}/v1/streams/${ids[1]}` })).status).toBe(200);

    await h.close();
    const full = await start({ maxSessions: 1 });
    const live = await startStream(full);
    const refused = await requestSse({ url: `${full.url}/v1/chat/completions`, body: chatBody('openai/gpt-sim') });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(JSON.parse(refused.body).error.code).toBe('too_many_streams');
    await requestJson(`${full.url}/v1/streams/${live.id}`, { method: 'DELETE' });
    await live.reading;
  });
});
