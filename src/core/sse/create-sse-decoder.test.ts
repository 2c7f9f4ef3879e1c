import { describe, expect, it } from 'vitest';
import { SseEventTooLargeError } from '../errors/upstream-errors.js';
import { createSseDecoder } from './create-sse-decoder.js';
import type { SseEvent } from './sse-event.js';

const encoder = new TextEncoder();

function decodeInPieces(bytes: Uint8Array, cuts: number[]): SseEvent[] {
  const events: SseEvent[] = [];
  const decoder = createSseDecoder({ onEvent: (event) => events.push(event) });
  let previous = 0;
  for (const cut of [...cuts, bytes.length]) {
    decoder.feed(bytes.subarray(previous, cut));
    previous = cut;
  }
  decoder.end();
  return events;
}

/** Every way of cutting the bytes in two, plus every byte on its own. */
function allSplits(text: string): SseEvent[][] {
  const bytes = encoder.encode(text);
  const results: SseEvent[][] = [];
  for (let cut = 0; cut <= bytes.length; cut++) results.push(decodeInPieces(bytes, [cut]));
  results.push(
    decodeInPieces(
      bytes,
      Array.from({ length: bytes.length }, (_, index) => index),
    ),
  );
  return results;
}

describe('createSseDecoder', () => {
  it('decodes the same events wherever the bytes are split, including inside a UTF-8 character', () => {
    const text = 'event: message_start\ndata: {"text":"héllo 🌍"}\n\ndata: second\n\n';
    for (const events of allSplits(text)) {
      expect(events).toEqual([
        { event: 'message_start', data: '{"text":"héllo 🌍"}', id: undefined },
        { event: undefined, data: 'second', id: undefined },
      ]);
    }
  });

  it('handles LF, CR and CRLF line ends, also split between CR and LF', () => {
    for (const newline of ['\n', '\r', '\r\n']) {
      const text = `data: a${newline}${newline}data: b${newline}${newline}`;
      for (const events of allSplits(text)) expect(events.map((event) => event.data)).toEqual(['a', 'b']);
    }
  });

  it('joins multi-line data, skips comments and keeps id and event fields', () => {
    const comments: string[] = [];
    const events: SseEvent[] = [];
    const decoder = createSseDecoder({ onEvent: (event) => events.push(event), onComment: (c) => comments.push(c) });
    decoder.feed(encoder.encode(': keep-alive\nid: 7\nevent: delta\ndata: line one\ndata: line two\nretry: 100\n\n'));
    decoder.end();
    expect(events).toEqual([{ id: '7', event: 'delta', data: 'line one\nline two' }]);
    expect(comments.map((comment) => comment.trim())).toEqual(['keep-alive']);
  });

  it('dispatches a trailing event that has no final blank line', () => {
    expect(decodeInPieces(encoder.encode('data: one\n\ndata: last'), []).map((event) => event.data)).toEqual([
      'one',
      'last',
    ]);
    expect(decodeInPieces(encoder.encode('data: last\n'), []).map((event) => event.data)).toEqual(['last']);
  });

  it('fails with a typed error when one event outgrows the bound', () => {
    const decoder = createSseDecoder({ onEvent: () => {}, maxEventBytes: 1024, provider: 'test' });
    const line = encoder.encode(`data: ${'x'.repeat(600)}`);
    decoder.feed(line);
    expect(() => decoder.feed(line)).toThrow(SseEventTooLargeError);
  });
});
