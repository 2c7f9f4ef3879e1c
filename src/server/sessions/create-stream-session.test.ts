import { afterEach, describe, expect, it, vi } from 'vitest';
import { textChunk as chunk } from '../../../test/support/text-chunk.js';
import { UpstreamConnectionError } from '../../core/errors/upstream-errors.js';
import { ChatCompletionStream } from '../../core/router/chat-completion-stream.js';
import { createStreamSession, type SessionSubscriber, type StreamSession } from './create-stream-session.js';
import { createOpenAISessionEncoder } from './session-event-encoder.js';

/** The session on its own: a scripted router stream, in-memory readers, fake timers for the detach timeout. */

/** A stream that yields `words`, then waits for `release` (if given) before ending, or throws `failure`. */
function scriptedStream(words: string[], options: { gate?: Promise<void>; failure?: Error } = {}) {
  return new ChatCompletionStream({
    id: 'chatcmpl-1',
    requestedModel: 'm',
    async *run(signal) {
      for (const word of words) yield chunk(word);
      if (options.gate) {
        await Promise.race([
          options.gate,
          new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true })),
        ]);
      }
      if (options.failure) throw options.failure;
    },
  });
}

function reader(): SessionSubscriber & { frames: string[]; ended: boolean; failed?: Error } {
  const subscriber = {
    frames: [] as string[],
    ended: false,
    failed: undefined as Error | undefined,
    closed: false,
    write(frame: string) {
      subscriber.frames.push(frame);
      return true;
    },
    drained: () => Promise.resolve(),
    end() {
      subscriber.ended = true;
    },
    fail(error: Error) {
      subscriber.failed = error;
    },
  };
  return subscriber;
}

function start(stream: ChatCompletionStream, overrides: Partial<Parameters<typeof createStreamSession>[0]> = {}) {
  const ends: boolean[] = [];
  const session = createStreamSession({
    id: 'stream_1',
    owner: 'anonymous',
    model: 'm',
    stream,
    encoder: createOpenAISessionEncoder([]),
    resumable: true,
    detachTimeoutMs: 1_000,
    maxEvents: 100,
    maxBytes: 1_000_000,
    onEnd: (_, started) => ends.push(started),
    ...overrides,
  });
  return { session, ends };
}

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 1_000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
};

afterEach(() => {
  vi.useRealTimers();
});

describe('createStreamSession', () => {
  it('numbers every event, [DONE] included, and replays after any position', async () => {
    const { session } = start(scriptedStream(['a', 'b', 'c']));
    const live = reader();
    await session.attach(live, -1);
    await until(() => live.ended);
    expect(live.frames.map((frame) => frame.split('\n')[0])).toEqual(['id: 0', 'id: 1', 'id: 2', 'id: 3']);
    expect(live.frames[3]).toBe('id: 3\ndata: [DONE]\n\n');
    const late = reader();
    await session.attach(late, 1);
    expect(late.frames).toEqual(live.frames.slice(2));
    expect(late.ended).toBe(true);
    expect(session.summary()).toMatchObject({ state: 'completed', tokens: 3, last_event_id: 3 });
  });

  it("writes one upstream read's frames to a reader in one write, and waits for a full reader between reads", async () => {
    let secondBatchPulled = false;
    const stream = new ChatCompletionStream({
      id: 'chatcmpl-1',
      requestedModel: 'm',
      async *run() {
        yield [chunk('a'), chunk('b'), chunk('c')];
        secondBatchPulled = true;
        yield [chunk('d')];
      },
    });
    const { session } = start(stream);
    let drain = () => {};
    const live = reader();
    live.write = (frames: string) => {
      live.frames.push(frames);
      return live.frames.length > 1;
    };
    live.drained = () =>
      new Promise<void>((resolve) => {
        drain = resolve;
      });
    await session.attach(live, -1);
    await until(() => live.frames.length === 1);
    expect(live.frames[0].match(/^id: \d+/gm)).toEqual(['id: 0', 'id: 1', 'id: 2']);
    expect(live.frames[0].match(/"content":"\w"/g)).toEqual(['"content":"a"', '"content":"b"', '"content":"c"']);
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(secondBatchPulled).toBe(false);
    expect(live.frames).toHaveLength(1);
    drain();
    await until(() => live.ended);
    expect(live.frames.slice(1).map((frames) => frames.split('\n')[0])).toEqual(['id: 3', 'id: 4']);
    const late = reader();
    await session.attach(late, 0);
    expect(late.frames.join('')).toBe(live.frames.join('').slice(live.frames[0].indexOf('id: 1')));
  });

  it('splits a large read into writes of whole frames, in order, none far over 16 K characters', async () => {
    const words = Array.from({ length: 600 }, (_, index) => `word${index}`);
    const stream = new ChatCompletionStream({
      id: 'chatcmpl-1',
      requestedModel: 'm',
      async *run() {
        yield words.map((word) => chunk(word));
      },
    });
    const { session } = start(stream, { maxEvents: 1_000 });
    const live = reader();
    await session.attach(live, -1);
    await until(() => live.ended);
    const writes = live.frames.slice(0, -1);
    expect(writes.length).toBeGreaterThan(1);
    for (const frames of writes) {
      expect(frames).toMatch(/^id: \d+\ndata: .*\n\n$/s);
      expect(frames.length).toBeLessThan(16 * 1024 + 200);
    }
    const ids = writes.join('').match(/^id: \d+/gm) ?? [];
    expect(ids).toEqual(words.map((_, index) => `id: ${index}`));
    expect(writes.join('').match(/"content":"word\d+"/g)).toEqual(words.map((word) => `"content":"${word}"`));
  });

  it('over max_events drops the buffer: not resumable, the attached reader still gets everything', async () => {
    const { session } = start(scriptedStream(['a', 'b', 'c', 'd']), { maxEvents: 2 });
    const live = reader();
    await session.attach(live, -1);
    await until(() => live.ended);
    expect(live.frames).toHaveLength(5);
    expect(session.resumable).toBe(false);
    await expect(session.attach(reader(), 0)).rejects.toMatchObject({ code: 'STREAM_NOT_RESUMABLE' });
  });

  it('a failure before the first chunk fails the readers (a clean HTTP error) and ends unstarted', async () => {
    const { session, ends } = start(
      scriptedStream([], { failure: new UpstreamConnectionError('p', new Error('down')) }),
    );
    const live = reader();
    await session.attach(live, -1);
    await until(() => ends.length > 0);
    expect(live.failed).toBeDefined();
    expect(ends).toEqual([false]);
    expect(session.state).toBe('failed');
  });

  it('detached, aborts the upstream after the detach timeout; a reattach in time cancels that', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { session } = start(scriptedStream(['a'], { gate }));
    const first = reader();
    await session.attach(first, -1);
    await until(() => first.frames.length === 1);
    session.detach(first);
    expect(session.state).toBe('detached');
    vi.advanceTimersByTime(900);
    const second = reader();
    await session.attach(second, 0);
    expect(session.state).toBe('streaming');
    session.detach(second);
    vi.advanceTimersByTime(1_000);
    await until(() => session.ended);
    expect(session.state).toBe('cancelled');
    release();
  });

  it('a non-resumable session aborts at once when its last reader leaves', async () => {
    const gate = new Promise<void>(() => {});
    const { session }: { session: StreamSession } = start(scriptedStream(['a'], { gate }), { resumable: false });
    const live = reader();
    await session.attach(live, -1);
    await until(() => live.frames.length === 1);
    session.detach(live);
    await until(() => session.ended);
    expect(session.state).toBe('cancelled');
    expect(session.bufferedBytes()).toBe(0);
  });
});
