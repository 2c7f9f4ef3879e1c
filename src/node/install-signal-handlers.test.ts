import { describe, expect, it } from 'vitest';
import { installSignalHandlers } from './install-signal-handlers.js';

// Emitting a signal event on `process` calls the handlers without sending a real signal.
const testSignal = 'SIGUSR2' as const;

describe('installSignalHandlers', () => {
  it('shuts down once, then exits 0; a second signal exits at once with 130', async () => {
    const exits: number[] = [];
    let shutdowns = 0;
    let finish!: () => void;
    const uninstall = installSignalHandlers({
      signals: [testSignal],
      exit: (code) => exits.push(code),
      shutdown: () => {
        shutdowns += 1;
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      },
    });
    process.emit(testSignal, testSignal);
    process.emit(testSignal, testSignal);
    expect(exits).toEqual([130]);
    finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect(exits).toEqual([130, 0]);
    expect(shutdowns).toBe(1);
    uninstall();
    expect(process.listenerCount(testSignal)).toBe(0);
  });

  it('exits 1 when the shutdown fails', async () => {
    const exits: number[] = [];
    const uninstall = installSignalHandlers({
      signals: [testSignal],
      exit: (code) => exits.push(code),
      shutdown: () => Promise.reject(new Error('stuck')),
    });
    process.emit(testSignal, testSignal);
    await new Promise((resolve) => setImmediate(resolve));
    expect(exits).toEqual([1]);
    uninstall();
  });
});
