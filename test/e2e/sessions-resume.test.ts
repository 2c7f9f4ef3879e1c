import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatBody,
  type Harness,
  openAIText,
  type ReceivedEvent,
  requestJson,
  requestSse,
  sleep,
  startHarness,
} from './sessions-harness.js';

/**
 * Resume after a dropped connection, over real sockets with the simulator upstream: streams cut at random points
 * and resumed with `Last-Event-ID` must join into exactly the uninterrupted answer, byte for byte.
 */

const keyA = 'sk-gateway-a';
const keyB = 'sk-gateway-b';
const auth = (key: string) => ({ authorization: `Bearer ${key}` });
const resumable = { 'x-circuit-breaker-resumable': 'true' };
/** Paced so that a cut lands mid-stream: 50 tokens at 800 tokens/s ≈ 60 ms per answer. */
const pacedModel = 'openai/gpt-sim+tps=800+tokens=50';

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness({ gateway: { apiKeys: [keyA, keyB] } });
});

afterAll(async () => {
  await harness.close();
});

function expectContiguous(events: readonly ReceivedEvent[]): void {
  expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index));
}

describe('resume with Last-Event-ID', () => {
  it('joins 30 streams cut at random points into the uninterrupted answer, byte for byte', async () => {
    const reference = await requestSse({
      url: `${harness.url}/v1/chat/completions`,
      headers: auth(keyA),
      body: chatBody(pacedModel),
    });
    expect(reference.status).toBe(200);
    const referenceText = openAIText(reference.events);
    expect(referenceText.length).toBeGreaterThan(0);

    const cuts = Array.from({ length: 30 }, () => 1 + Math.floor(Math.random() * (reference.events.length - 1)));
    await Promise.all(
      cuts.map(async (cutAfter, index) => {
        const first = await requestSse({
          url: `${harness.url}/v1/chat/completions`,
          headers: { ...auth(keyA), ...resumable },
          body: chatBody(pacedModel),
          cutAfter,
        });
        expect(first.cut).toBe(true);
        const id = first.headers['x-circuit-breaker-stream-id'] as string;
        expect(id).toMatch(/^stream_/);
        expect(first.headers['x-circuit-breaker-resumable']).toBe('true');
        const lastEventId = first.events.at(-1)!.id!;
        // Half through the header a browser EventSource sends, half through the query parameter.
        const rest = await requestSse(
          index % 2 === 0
            ? {
                url: `${harness.url}/v1/streams/${id}`,
                headers: { ...auth(keyA), 'last-event-id': String(lastEventId) },
              }
            : { url: `${harness.url}/v1/streams/${id}?last_event_id=${lastEventId}`, headers: auth(keyA) },
        );
        expect(rest.status).toBe(200);
        const joined = [...first.events, ...rest.events];
        expectContiguous(joined);
        expect(joined.at(-1)!.data).toBe('[DONE]');
        expect(openAIText(joined)).toBe(referenceText);

        // The same session read whole after the end: the joined frames are exactly its bytes.
        const whole = await requestSse({ url: `${harness.url}/v1/streams/${id}`, headers: auth(keyA) });
        expect(joined.map((event) => `${event.frame}\n\n`).join('')).toBe(whole.body);
      }),
    );
  });

  it('resumes a finished stream and ends as the original: Anthropic message_stop', async () => {
    const first = await requestSse({
      url: `${harness.url}/v1/messages`,
      headers: { ...auth(keyA), ...resumable },
      body: {
        model: 'anthropic/claude-sim',
        max_tokens: 100,
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      },
      cutAfter: 3,
    });
    const id = first.headers['x-circuit-breaker-stream-id'] as string;
    const summary = async () =>
      (await requestJson(`${harness.url}/v1/streams`, { headers: auth(keyA) })).body.data.find(
        (stream: { id: string }) => stream.id === id,
      );
    for (let i = 0; i < 200 && (await summary()).state !== 'completed'; i++) await sleep(10);
    expect((await summary()).state).toBe('completed');

    const rest = await requestSse({
      url: `${harness.url}/v1/streams/${id}`,
      headers: { ...auth(keyA), 'last-event-id': String(first.events.at(-1)!.id) },
    });
    const joined = [...first.events, ...rest.events];
    expectContiguous(joined);
    expect(joined[0].event).toBe('message_start');
    expect(joined.at(-1)!.event).toBe('message_stop');
    // Resuming after the last event: nothing left, 204 (an EventSource stops reconnecting on it).
    const after = await requestSse({
      url: `${harness.url}/v1/streams/${id}`,
      headers: { ...auth(keyA), 'last-event-id': String(joined.at(-1)!.id) },
    });
    expect(after.status).toBe(204);
  });

  it('lists the caller’s streams with model, deployment, tokens and state', async () => {
    const done = await requestSse({
      url: `${harness.url}/v1/chat/completions`,
      headers: { ...auth(keyB), ...resumable },
      body: chatBody('openai/gpt-sim'),
    });
    const id = done.headers['x-circuit-breaker-stream-id'];
    const { status, body } = await requestJson(`${harness.url}/v1/streams`, { headers: auth(keyB) });
    expect(status).toBe(200);
    expect(body.object).toBe('list');
    const listed = body.data.find((stream: { id: string }) => stream.id === id);
    expect(listed).toMatchObject({
      object: 'stream',
      model: 'openai/gpt-sim',
      provider: 'openai',
      state: 'completed',
      resumable: true,
      last_event_id: done.events.at(-1)!.id,
    });
    expect(listed.tokens).toBeGreaterThan(0);
    expect(typeof listed.started_at).toBe('number');
    // Key A sees none of key B's streams.
    const other = await requestJson(`${harness.url}/v1/streams`, { headers: auth(keyA) });
    expect(other.body.data.some((stream: { id: string }) => stream.id === id)).toBe(false);
  });

  it('answers 404 to another key, as if the stream did not exist (read and cancel)', async () => {
    const done = await requestSse({
      url: `${harness.url}/v1/chat/completions`,
      headers: { ...auth(keyA), ...resumable },
      body: chatBody('openai/gpt-sim'),
    });
    const id = done.headers['x-circuit-breaker-stream-id'] as string;
    const wrong = await requestSse({ url: `${harness.url}/v1/streams/${id}`, headers: auth(keyB) });
    expect(wrong.status).toBe(404);
    const unknown = await requestSse({ url: `${harness.url}/v1/streams/stream_nope`, headers: auth(keyB) });
    expect(JSON.parse(wrong.body)).toEqual({
      ...JSON.parse(unknown.body),
      error: { ...JSON.parse(unknown.body).error, message: `No stream ${id}.` },
    });
    expect(
      (await requestJson(`${harness.url}/v1/streams/${id}`, { method: 'DELETE', headers: auth(keyB) })).status,
    ).toBe(404);
    expect((await requestSse({ url: `${harness.url}/v1/streams/${id}` })).status).toBe(401);
    expect((await requestSse({ url: `${harness.url}/v1/streams/${id}`, headers: auth(keyA) })).status).toBe(200);
  });

  it('refuses to resume a stream that kept no events (409), and a bad Last-Event-ID (400)', async () => {
    const cut = await requestSse({
      url: `${harness.url}/v1/chat/completions`,
      headers: auth(keyA),
      body: chatBody('openai/gpt-sim+tps=50'),
      cutAfter: 2,
    });
    expect(cut.headers['x-circuit-breaker-resumable']).toBe('false');
    const id = cut.headers['x-circuit-breaker-stream-id'] as string;
    // Not resumable: 409 while the server has not yet seen the disconnect, then the abort removes it (404).
    const early = await requestSse({ url: `${harness.url}/v1/streams/${id}`, headers: auth(keyA) });
    expect([404, 409]).toContain(early.status);
    let status = early.status;
    for (let i = 0; i < 100 && status !== 404; i++) {
      await sleep(5);
      status = (await requestSse({ url: `${harness.url}/v1/streams/${id}`, headers: auth(keyA) })).status;
    }
    expect(status).toBe(404);

    const kept = await requestSse({
      url: `${harness.url}/v1/chat/completions`,
      headers: auth(keyA),
      body: chatBody('openai/gpt-sim', { circuit_breaker: { resumable: true } }),
    });
    expect(kept.headers['x-circuit-breaker-resumable']).toBe('true');
    const bad = await requestSse({
      url: `${harness.url}/v1/streams/${kept.headers['x-circuit-breaker-stream-id']}?last_event_id=abc`,
      headers: auth(keyA),
    });
    expect(bad.status).toBe(400);
  });
});
