import type { Router } from '../../core/router/create-router.js';
import type { LabelBounds } from './label-bounds.js';

export type CircuitStateName = 'closed' | 'half-open' | 'open';

/** One deployment as observability sees it. */
export interface DeploymentHealth {
  key: string;
  state: CircuitStateName;
  /** Smoothed time to first token (EWMA), ms; undefined before the first token. */
  latencyMs: number | undefined;
  /** Requests this deployment is serving now. */
  inFlight: number;
  requests: number;
  errors: number;
}

/** Prometheus encoding of a circuit state (`circuit_breaker_circuit_state`). */
export const circuitStateValue: Readonly<Record<CircuitStateName, number>> = { closed: 0, 'half-open': 1, open: 2 };

/** The shape of `router.deployments()` where the resilience integration provides it (read defensively). */
interface RouterDeploymentSnapshot {
  key: string;
  state?: string;
  circuit?: string | { state?: string; status?: string };
  latencyMs?: number;
  ttftMs?: number;
  inFlight?: number;
}

/**
 * Per-deployment circuit state, latency and load, kept from the router's events (circuit transitions, first tokens,
 * attempt failures). When the router offers `deployments()` its answer wins for state, latency and in-flight: the
 * events only cover what happened in this process since it started.
 */
export function createDeploymentHealth(options: { router: Router; bounds: LabelBounds }) {
  const { router, bounds } = options;
  const entries = new Map<string, DeploymentHealth>();
  const entry = (key: string): DeploymentHealth => {
    let found = entries.get(key);
    if (!found) {
      found = { key, state: 'closed', latencyMs: undefined, inFlight: 0, requests: 0, errors: 0 };
      entries.set(key, found);
    }
    return found;
  };
  for (const key of bounds.deployments) entry(key);

  router.on('circuit-open', (event) => {
    entry(bounds.deployment(event.deployment)).state = 'open';
  });
  router.on('circuit-half-open', (event) => {
    entry(bounds.deployment(event.deployment)).state = 'half-open';
  });
  router.on('circuit-close', (event) => {
    entry(bounds.deployment(event.deployment)).state = 'closed';
  });
  router.on('attempt-start', (event) => {
    const found = entry(bounds.deployment(event.deployment));
    found.requests++;
    found.inFlight++;
  });
  router.on('attempt-failure', (event) => {
    const found = entry(bounds.deployment(event.deployment));
    if (event.error.code !== 'CANCELLED') found.errors++;
    found.inFlight = Math.max(0, found.inFlight - 1);
  });
  router.on('first-token', (event) => {
    const found = entry(bounds.deployment(event.deployment));
    found.latencyMs =
      found.latencyMs === undefined ? event.timeToFirstTokenMs : found.latencyMs * 0.8 + event.timeToFirstTokenMs * 0.2;
  });
  router.on('request-end', (event) => {
    if (event.deployment === undefined || event.outcome !== 'success') return;
    const found = entry(bounds.deployment(event.deployment));
    found.inFlight = Math.max(0, found.inFlight - 1);
  });

  return {
    /** Every known deployment, configured ones first. */
    list(): DeploymentHealth[] {
      const fromRouter = readRouterDeployments(router);
      if (fromRouter) {
        for (const snapshot of fromRouter) {
          const found = entry(bounds.deployment(snapshot.key));
          const state = readState(snapshot);
          if (state) found.state = state;
          const latency = snapshot.latencyMs ?? snapshot.ttftMs;
          if (typeof latency === 'number' && Number.isFinite(latency)) found.latencyMs = latency;
          if (typeof snapshot.inFlight === 'number') found.inFlight = snapshot.inFlight;
        }
      }
      return [...entries.values()];
    },
  };
}

export type DeploymentHealthTracker = ReturnType<typeof createDeploymentHealth>;

function readRouterDeployments(router: Router): RouterDeploymentSnapshot[] | undefined {
  const candidate = (router as unknown as { deployments?: () => unknown }).deployments;
  if (typeof candidate !== 'function') return undefined;
  try {
    const result = candidate.call(router);
    return Array.isArray(result) ? (result as RouterDeploymentSnapshot[]) : undefined;
  } catch {
    return undefined;
  }
}

function readState(snapshot: RouterDeploymentSnapshot): CircuitStateName | undefined {
  const raw =
    typeof snapshot.circuit === 'string'
      ? snapshot.circuit
      : (snapshot.circuit?.state ?? snapshot.circuit?.status ?? snapshot.state);
  if (raw === 'open' || raw === 'closed' || raw === 'half-open') return raw;
  if (raw === 'half_open' || raw === 'halfOpen') return 'half-open';
  return undefined;
}
