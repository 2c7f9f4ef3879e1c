import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { createPacingScheduler } from './pacing-scheduler.js';

describe('createPacingScheduler', () => {
  it('runs tasks in due order from one timer, then stops', async () => {
    const scheduler = createPacingScheduler();
    const order: number[] = [];
    const start = performance.now();
    await new Promise<void>((resolve) => {
      scheduler.schedule(start + 30, () => order.push(3));
      scheduler.schedule(start + 10, () => order.push(1));
      scheduler.schedule(start + 20, () => order.push(2));
      scheduler.schedule(start + 40, () => resolve());
    });
    expect(order).toEqual([1, 2, 3]);
    expect(performance.now() - start).toBeGreaterThanOrEqual(35);
    expect(scheduler.pending).toBe(0);
  });

  it('keeps running other tasks when one throws', async () => {
    const scheduler = createPacingScheduler();
    const ran = await new Promise<boolean>((resolve) => {
      scheduler.schedule(performance.now(), () => {
        throw new Error('boom');
      });
      scheduler.schedule(performance.now() + 2, () => resolve(true));
    });
    expect(ran).toBe(true);
    scheduler.stop();
  });
});
