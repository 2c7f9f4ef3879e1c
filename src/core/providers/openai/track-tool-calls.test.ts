import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../../types/stream-part.js';
import { createToolCallTracker } from './track-tool-calls.js';

describe('createToolCallTracker', () => {
  it('gives a call without an upstream id a generated one, and uses the position when no index is sent', () => {
    const parts: StreamPart[] = [];
    const tracker = createToolCallTracker((part) => parts.push(part));
    tracker.onDelta({ function: { name: 'f', arguments: '{}' } }, 0);
    tracker.onDelta({ function: { name: 'g', arguments: '{}' } }, 1);
    tracker.endAll();
    const starts = parts.filter((part) => part.type === 'tool-call-start');
    expect(starts.map((part) => [part.index, part.name])).toEqual([
      [0, 'f'],
      [1, 'g'],
    ]);
    for (const start of starts) expect(start.id).toMatch(/^call_/);
    expect(parts.filter((part) => part.type === 'tool-call-end')).toHaveLength(2);
  });

  it('never starts a call whose name never came, and ends nothing for it', () => {
    const parts: StreamPart[] = [];
    const tracker = createToolCallTracker((part) => parts.push(part));
    tracker.onDelta({ index: 0, id: 'call_1', function: { arguments: '{"a":1}' } }, 0);
    tracker.endAll();
    expect(parts).toEqual([]);
  });
});
