import { describe, expect, it } from 'vitest';
import { AbortFlag } from './abort-flag.js';
import { followAbort } from './follow-abort.js';

describe('AbortFlag', () => {
  it('calls its listeners once, in order, synchronously, with the reason set', () => {
    const flag = new AbortFlag();
    const calls: string[] = [];
    const second = () => calls.push(`second:${String(flag.reason)}`);
    flag.addEventListener('abort', () => calls.push(`first:${String(flag.reason)}`));
    flag.addEventListener('abort', second);
    flag.abort('gone');
    flag.abort('again');
    expect(calls).toEqual(['first:gone', 'second:gone']);
    expect(flag.aborted).toBe(true);
    expect(flag.reason).toBe('gone');
  });

  it('skips a removed listener and one added after the abort; no reason is an AbortError', () => {
    const flag = new AbortFlag();
    const calls: string[] = [];
    const removed = () => calls.push('removed');
    flag.addEventListener('abort', removed);
    flag.removeEventListener('abort', removed);
    flag.abort();
    flag.addEventListener('abort', () => calls.push('late'));
    expect(calls).toEqual([]);
    expect((flag.reason as DOMException).name).toBe('AbortError');
  });

  it('drives the AbortController of an attempt that follows it', () => {
    const flag = new AbortFlag();
    const attempt = followAbort(flag);
    expect(attempt.signal.aborted).toBe(false);
    flag.abort('stream aborted');
    expect(attempt.signal.reason).toBe('stream aborted');
  });
});
