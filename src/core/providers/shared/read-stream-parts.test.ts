import { describe, expect, it } from 'vitest';
import { UpstreamStreamError } from '../../errors/upstream-errors.js';
import type { StreamPart } from '../../types/stream-part.js';
import type { StreamParserContext } from '../provider.js';
import { readStreamParts, readyPartsOf } from './read-stream-parts.js';

const encoder = new TextEncoder();

/** Each network read is one string of SSE frames; `fail` makes the read after the last one throw. */
async function* reads(frames: string[]): AsyncGenerator<Uint8Array> {
  for (const frame of frames) yield encoder.encode(frame);
}

/** A parser that turns each event into a text delta, and `fail` into an in-stream error (after what came before). */
function createTestParser(context: StreamParserContext) {
  return {
    onEvent(event: { data: string }) {
      if (event.data === 'fail') throw new UpstreamStreamError({ provider: 'test', message: 'boom' });
      context.emit({ type: 'text-delta', text: event.data });
    },
    onEnd() {},
  };
}

const open = (frames: string[]) =>
  readStreamParts(reads(frames), { provider: 'test', createStreamParser: createTestParser });
const texts = (parts: StreamPart[]) => parts.map((part) => (part.type === 'text-delta' ? part.text : part.type));

/** Reads like runStreamAttempts: one next() per read, the rest of the read through takeReadyPart. */
async function readByReads(frames: string[]) {
  const iterator = open(frames);
  const ready = readyPartsOf(iterator);
  const perRead: string[][] = [];
  let error: unknown;
  try {
    for (let result = await iterator.next(); !result.done; result = await iterator.next()) {
      const read = [result.value];
      for (let part = ready?.takeReadyPart(); part !== undefined; part = ready?.takeReadyPart()) read.push(part);
      perRead.push(texts(read));
    }
  } catch (caught) {
    error = caught;
  }
  return { perRead, error };
}

describe('readStreamParts, taking a read at a time', () => {
  it('hands over the rest of each read without a promise, in order, and nothing of the next read', async () => {
    const frames = ['data: a\n\ndata: b\n\ndata: c\n\n', 'data: d\n\n', 'data: e\n\ndata: f', '\n\n'];
    const { perRead, error } = await readByReads(frames);
    expect(error).toBeUndefined();
    // `f` is complete only with the fourth read's blank line.
    expect(perRead).toEqual([['a', 'b', 'c'], ['d'], ['e'], ['f']]);
  });

  it('gives the same parts as one next() per part', async () => {
    const frames = ['data: a\n\ndata: b\n\n', 'data: c\n\ndata: d\n\ndata: e\n\n', 'data: f\n\n'];
    const plain: StreamPart[] = [];
    for await (const part of open(frames)) plain.push(part);
    expect((await readByReads(frames)).perRead.flat()).toEqual(texts(plain));
  });

  it('parts of a read are all delivered before the error that read raised', async () => {
    const { perRead, error } = await readByReads(['data: a\n\n', 'data: b\n\ndata: c\n\ndata: fail\n\ndata: d\n\n']);
    expect(perRead).toEqual([['a'], ['b', 'c']]);
    expect(error).toBeInstanceOf(UpstreamStreamError);
  });

  it('takeReadyPart is empty before the first next() and after the end', async () => {
    const iterator = open(['data: a\n\ndata: b\n\n']);
    expect(iterator.takeReadyPart()).toBeUndefined();
    expect(texts([(await iterator.next()).value as StreamPart])).toEqual(['a']);
    expect(texts([iterator.takeReadyPart() as StreamPart])).toEqual(['b']);
    expect(iterator.takeReadyPart()).toBeUndefined();
    expect((await iterator.next()).done).toBe(true);
    expect(iterator.takeReadyPart()).toBeUndefined();
  });

  it('an iterator that is not from readStreamParts has no ready parts', async () => {
    async function* other(): AsyncGenerator<StreamPart> {}
    expect(readyPartsOf(other())).toBeUndefined();
  });
});
