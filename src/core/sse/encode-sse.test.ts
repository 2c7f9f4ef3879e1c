import { describe, expect, it } from 'vitest';
import { createSseDecoder } from './create-sse-decoder.js';
import { encodeSingleLineSseEvent, encodeSseEvent } from './encode-sse.js';
import type { SseEvent } from './sse-event.js';

function decode(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  const decoder = createSseDecoder({ onEvent: (event) => events.push(event) });
  decoder.feed(new TextEncoder().encode(text));
  return events;
}

describe('encodeSseEvent', () => {
  it('splits multi-line data into data fields that decode back to the same data', () => {
    const text = encodeSseEvent({ id: 3, event: 'x', data: 'a\nb' });
    expect(text).toBe('id: 3\nevent: x\ndata: a\ndata: b\n\n');
    expect(decode(text)).toMatchObject([{ id: '3', event: 'x', data: 'a\nb' }]);
  });
});

describe('encodeSingleLineSseEvent', () => {
  it('frames one-line data byte for byte as encodeSseEvent does, with and without an event name', () => {
    const data = JSON.stringify({ text: 'line\nbreak "quoted" ünïcode' });
    expect(encodeSingleLineSseEvent(7, undefined, data)).toBe(encodeSseEvent({ id: 7, data }));
    expect(encodeSingleLineSseEvent(0, 'content_block_delta', data)).toBe(
      encodeSseEvent({ id: 0, event: 'content_block_delta', data }),
    );
    expect(decode(encodeSingleLineSseEvent(7, undefined, data))).toMatchObject([{ id: '7', data }]);
  });
});
