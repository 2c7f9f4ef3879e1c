import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RedisServerHandle, startRedisServer } from '../../../test/support/redis-server.js';
import { encodeSseEvent } from '../../core/sse/encode-sse.js';
import type { SessionSubscriber } from '../../server/sessions/create-stream-session.js';
import { createRedisConnection, type RedisConnection } from './create-redis-connection.js';
import { createRedisSessionJournal, type RedisSessionJournal } from './create-redis-session-journal.js';

let redis: RedisServerHandle;
const connections: RedisConnection[] = [];
const journals: RedisSessionJournal[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  for (let index = 0; index < 2; index += 1) {
    const connection = createRedisConnection({ url: redis.url, keyPrefix: 'sessions:', heartbeatMs: 50 });
    expect(await connection.ready(2_000)).toBe(true);
    connections.push(connection);
    journals.push(
      createRedisSessionJournal({
        connection,
        instanceId: `i${index}`,
        retentionMs: 60_000,
        maxEvents: 100,
        maxBytes: 64 * 1024,
      }),
    );
  }
});
afterAll(async () => {
  for (const journal of journals) await journal.close();
  for (const connection of connections) await connection.close();
  await redis?.stop();
});

const frame = (position: number) => encodeSseEvent({ id: position, data: JSON.stringify({ token: position }) });

function collect(): SessionSubscriber & { frames: string[]; ended: Promise<void> } {
  let resolveEnd = () => {};
  const ended = new Promise<void>((resolve) => {
    resolveEnd = resolve;
  });
  const frames: string[] = [];
  return {
    frames,
    ended,
    closed: false,
    write(text) {
      frames.push(text);
      return true;
    },
    drained: async () => {},
    end: resolveEnd,
    fail: resolveEnd,
  };
}

describe('createRedisSessionJournal', () => {
  it('lets another instance replay after Last-Event-ID, tail the live stream, and see its end', async () => {
    const [a, b] = journals;
    const writer = a.open({ id: 's1', owner: 'alice', model: 'm', servedBy: () => undefined });
    for (let position = 0; position < 5; position += 1) writer.append(position, frame(position));
    await a.flush();

    expect(await b.find('s1', 'mallory')).toBeUndefined();
    const remote = await b.find('s1', 'alice');
    expect(remote?.summary()).toMatchObject({ state: 'streaming', last_event_id: 4, resumable: true });
    const reader = collect();
    const attached = remote!.attach(reader, 2);
    await delay(30);
    for (let position = 5; position < 8; position += 1) writer.append(position, frame(position));
    writer.end('completed');
    await Promise.race([reader.ended, delay(2_000).then(() => Promise.reject(new Error('no end')))]);
    await attached;
    expect(reader.frames).toEqual([3, 4, 5, 6, 7].map(frame));

    const finished = await b.find('s1', 'alice');
    expect(finished?.summary()).toMatchObject({ state: 'completed', last_event_id: 7 });
  });

  it('carries a cancel from any instance to the one running the stream', async () => {
    const [a, b] = journals;
    a.open({ id: 's2', owner: 'alice', model: 'm', servedBy: () => undefined });
    await a.flush();
    const cancelled = new Promise<string>((resolve) => a.onCancel((id) => resolve(id)));
    (await b.find('s2', 'alice'))!.abort(new Error('x') as never);
    expect(await cancelled).toBe('s2');
  });

  it('keeps frames written while Redis is away and sends them when it returns', async () => {
    const [a, b] = journals;
    const writer = a.open({ id: 's3', owner: 'alice', model: 'm', servedBy: () => undefined });
    writer.append(0, frame(0));
    await a.flush();
    await redis.kill();
    await delay(100);
    writer.append(1, frame(1));
    writer.append(2, frame(2));
    writer.end('completed');
    await a.flush();
    await redis.restart();
    await waitFor(() => connections.every((connection) => connection.isUp()));
    await a.flush();
    // The restarted Redis is empty: the journal wrote the meta again with the queued frames; frame 0 was lost
    // with the old Redis, so a resume after 0 works and one from the start is refused.
    const remote = await b.find('s3', 'alice');
    const reader = collect();
    await remote!.attach(reader, 0);
    expect(reader.frames).toEqual([1, 2].map(frame));
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(10);
  }
}

describe('a journal over its caps', () => {
  it('marks the session not resumable elsewhere and keeps its last position', async () => {
    const [a, b] = journals;
    const writer = a.open({ id: 's4', owner: 'alice', model: 'm', servedBy: () => undefined });
    writer.append(0, frame(0));
    writer.append(1, frame(1));
    writer.drop();
    writer.append(2, frame(2));
    writer.end('completed');
    await a.flush();
    const remote = await b.find('s4', 'alice');
    expect(remote?.summary()).toMatchObject({ resumable: false, state: 'completed', last_event_id: 2 });
    await expect(remote!.attach(collect(), 0)).rejects.toMatchObject({ code: 'STREAM_NOT_RESUMABLE' });
  });
});
