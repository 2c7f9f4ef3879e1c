import { describe, expect, it } from 'vitest';
import { followAbort } from './follow-abort.js';

describe('followAbort', () => {
  it('aborts with the parent, with its reason, and at once when the parent already has', () => {
    const parent = new AbortController();
    const follower = followAbort(parent.signal);
    expect(follower.signal.aborted).toBe(false);
    parent.abort('gone');
    expect(follower.signal.reason).toBe('gone');
    expect(followAbort(parent.signal).signal.reason).toBe('gone');
  });

  it('aborts on its own without touching the parent; with no parent it is a plain controller', () => {
    const parent = new AbortController();
    followAbort(parent.signal).abort('own');
    expect(parent.signal.aborted).toBe(false);
    expect(followAbort(undefined).signal.aborted).toBe(false);
  });
});
