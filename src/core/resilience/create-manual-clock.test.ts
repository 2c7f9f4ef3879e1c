import { describe, expect, it } from 'vitest';
import { createManualClock } from './create-manual-clock.js';

describe('createManualClock', () => {
  it('runs due timers in order, at their time, including ones set by timers', () => {
    const clock = createManualClock(100);
    const log: string[] = [];
    clock.setTimeout(() => log.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => {
      log.push(`a@${clock.now()}`);
      clock.setTimeout(() => log.push(`c@${clock.now()}`), 15);
    }, 10);
    const cleared = clock.setTimeout(() => log.push('never'), 5);
    clock.clearTimeout(cleared);
    clock.advance(30);
    expect(log).toEqual(['a@110', 'b@120', 'c@125']);
    expect(clock.now()).toBe(130);
    expect(clock.pendingTimers()).toBe(0);
  });
});
