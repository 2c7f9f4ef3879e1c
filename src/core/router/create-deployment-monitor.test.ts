import { describe, expect, it } from 'vitest';
import { systemClock } from '../resilience/clock.js';
import { createCircuitBreakerRegistry } from '../resilience/create-circuit-breaker-registry.js';
import { createMemoryStateStore, defaultMaxStateKeys } from '../state/memory-state-store.js';
import { createDeploymentMonitor } from './create-deployment-monitor.js';
import type { Deployment } from './resolve-model.js';

const deployment = (model: string): Deployment => ({
  key: `sim/${model}`,
  providerName: 'sim',
  providerType: 'openai',
  model,
  weight: 1,
});

describe('createDeploymentMonitor', () => {
  it('stays bounded however many model names callers send, keeping what is in use', () => {
    const store = createMemoryStateStore();
    const breakers = createCircuitBreakerRegistry({ store });
    const monitor = createDeploymentMonitor({ store, breakers, clock: systemClock, windowMs: 60_000 });
    monitor.register(deployment('kept'));
    breakers.acquire('sim/kept');
    monitor.requestStarted('sim/kept');
    for (let index = 0; index < defaultMaxStateKeys * 3; index++) {
      const key = `sim/random-${index}`;
      monitor.register(deployment(`random-${index}`));
      monitor.requestStarted(key);
      breakers.acquire(key);
      monitor.requestEnded(key);
    }
    const snapshot = monitor.snapshot();
    expect(snapshot.length).toBeLessThanOrEqual(defaultMaxStateKeys + 1);
    expect(snapshot.find((row) => row.key === 'sim/kept')?.inFlight).toBe(1);
    expect(snapshot.some((row) => row.key === `sim/random-${defaultMaxStateKeys * 3 - 1}`)).toBe(true);
  });
});
