import { describe, expect, it } from 'vitest';
import { textChunk } from '../../../test/support/text-chunk.js';
import type { AbortSignalLike } from '../resilience/abort-signal-like.js';
import type { ChatCompletionChunk } from '../types/chat-chunk.js';
import { ChatCompletionStream, type ChunkOrBatch } from './chat-completion-stream.js';

const chunk = textChunk;
const contents = (chunks: readonly ChatCompletionChunk[]) => chunks.map((item) => item.choices[0]?.delta.content);

function createStream(items: ChunkOrBatch[], options: { failure?: Error; gate?: Promise<void> } = {}) {
  const seen: { signal?: AbortSignalLike; finished: boolean } = { finished: false };
  const stream = new ChatCompletionStream({
    id: 'chatcmpl-1',
    requestedModel: 'm',
    async *run(signal) {
      seen.signal = signal;
      try {
        for (const item of items) yield item;
        if (options.gate) await options.gate;
        if (options.failure) throw options.failure;
      } finally {
        seen.finished = true;
      }
    },
  });
  return { stream, seen };
}

describe('ChatCompletionStream', () => {
  const items: ChunkOrBatch[] = [
    [chunk('a'), chunk('b')],
    chunk('c'),
    [chunk('d')],
    [chunk('e'), chunk('f'), chunk('g')],
  ];

  it('for await hands out one chunk at a time, batches flattened in order', async () => {
    const { stream } = createStream(items);
    const received: ChatCompletionChunk[] = [];
    for await (const item of stream) received.push(item);
    expect(contents(received)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('batches() hands out each batch as it came (a single chunk as a batch of one)', async () => {
    const { stream } = createStream(items);
    const received: string[][] = [];
    for await (const batch of stream.batches()) received.push(contents(batch) as string[]);
    expect(received).toEqual([['a', 'b'], ['c'], ['d'], ['e', 'f', 'g']]);
  });

  it('the error comes after every chunk before it, in both forms', async () => {
    const failure = new Error('upstream broke');
    const received: ChatCompletionChunk[] = [];
    const { stream } = createStream(items.slice(0, 2), { failure });
    await expect(
      (async () => {
        for await (const item of stream) received.push(item);
      })(),
    ).rejects.toBe(failure);
    expect(contents(received)).toEqual(['a', 'b', 'c']);
    const batches = createStream(items.slice(0, 1), { failure }).stream.batches();
    expect(contents((await batches.next()).value)).toEqual(['a', 'b']);
    await expect(batches.next()).rejects.toBe(failure);
  });

  it('leaving the loop in the middle of a batch aborts the run and finishes it', async () => {
    const { stream, seen } = createStream(items, { gate: new Promise(() => {}) });
    for await (const item of stream) if (item.choices[0]?.delta.content === 'e') break;
    expect(seen.signal?.aborted).toBe(true);
    expect(seen.finished).toBe(true);
  });

  it('can be iterated only once, whichever form', () => {
    const { stream } = createStream(items);
    stream.batches();
    expect(() => stream[Symbol.asyncIterator]()).toThrow(/only once/);
    const other = createStream(items).stream;
    other[Symbol.asyncIterator]();
    expect(() => other.batches()).toThrow(/only once/);
  });
});
