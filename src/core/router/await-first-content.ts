import { CircuitBreakerError } from '../errors/circuit-breaker-error.js';
import { CancelledError } from '../errors/request-errors.js';
import type { Clock, TimerHandle } from '../resilience/clock.js';
import { resolveHedgeDelay } from '../resilience/hedge.js';
import type { AttemptPlanner, PlannedAttempt } from './create-attempt-planner.js';
import type { DeploymentMonitor } from './create-deployment-monitor.js';
import type { RouterEventEmitter } from './router-events.js';
import type { StreamAttempt } from './start-stream-attempt.js';

export interface AwaitFirstContentOptions {
  requestId: string;
  planner: AttemptPlanner;
  start: (planned: PlannedAttempt) => StreamAttempt;
  monitor: DeploymentMonitor;
  events: RouterEventEmitter;
  clock: Clock;
  /** Whether hedging applies (not for a failover continuation). */
  hedge: boolean;
}

type Settled = { attempt: StreamAttempt; error?: CircuitBreakerError } | 'hedge';

/**
 * Runs attempts until one produces its first content (or ends cleanly without any) and returns it, with
 * whether a hedge was started. Failures go through the planner (retry, next deployment, fallback model).
 * Hedging: when the first attempt has no content after the model's `hedge_after_ms` (or `auto`: the deployment's
 * p95 TTFT), the same request starts on the next deployment; the first to produce content wins and every other
 * attempt is aborted at once.
 */
export async function awaitFirstContent(
  options: AwaitFirstContentOptions,
): Promise<{ attempt: StreamAttempt; hedged: boolean }> {
  const { planner, clock, events, requestId } = options;
  const running = new Set<StreamAttempt>();
  let hedged = false;
  let hedgeConsidered = !options.hedge;
  let primary: string | undefined;
  let hedgeDeployment: string | undefined;
  let timer: TimerHandle | undefined;
  // The reason is built only when an attempt is left to abandon: the common request has none left over, and has
  // no use for an error object (a `CancelledError` has no stack since request-errors.ts, but is still one).
  const abandonAll = (reason: () => CircuitBreakerError) => {
    if (running.size === 0) return;
    const error = reason();
    for (const attempt of running) attempt.abandon(error);
    running.clear();
  };
  try {
    for (;;) {
      if (running.size === 0) {
        const planned = await planner.next();
        if (!planned) throw planner.exhausted();
        running.add(options.start(planned));
      }
      const contenders: Promise<Settled>[] = [...running].map((attempt) =>
        attempt.ready.then(
          () => ({ attempt }),
          (error: CircuitBreakerError) => ({ attempt, error }),
        ),
      );
      if (!hedgeConsidered && running.size === 1) {
        const [only] = running;
        const delay = resolveHedgeDelay(
          only.planned.settings.hedgeAfterMs,
          options.monitor.stats(only.planned.deployment.key),
        );
        if (delay === undefined) hedgeConsidered = true;
        else {
          const wait = Math.max(0, delay - (clock.now() - only.startedAt));
          contenders.push(
            new Promise<Settled>((resolve) => {
              timer = clock.setTimeout(() => resolve('hedge'), wait);
            }),
          );
        }
      }
      const settled = await Promise.race(contenders);
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      if (settled === 'hedge') {
        hedgeConsidered = true;
        const planned = await planner.next({ newDeployment: true });
        if (!planned) continue;
        hedged = true;
        primary = [...running][0]?.planned.deployment.key;
        hedgeDeployment = planned.deployment.key;
        running.add(options.start(planned));
        continue;
      }
      const { attempt, error } = settled;
      running.delete(attempt);
      if (!error) {
        abandonAll(() => new CancelledError('Another deployment answered first (hedged request).'));
        if (hedged && primary && hedgeDeployment) {
          events.emit({
            type: 'hedge',
            requestId,
            primary,
            hedge: hedgeDeployment,
            winner: attempt.planned.deployment.key,
          });
        }
        return { attempt, hedged };
      }
      attempt.close();
      const verdict = planner.failed(attempt.planned, error, { retry: running.size === 0 });
      if (verdict.action === 'stop') throw verdict.error;
    }
  } catch (error) {
    if (timer !== undefined) clock.clearTimeout(timer);
    abandonAll(() => (error instanceof CircuitBreakerError ? error : new CancelledError()));
    if (hedged && primary && hedgeDeployment)
      events.emit({ type: 'hedge', requestId, primary, hedge: hedgeDeployment });
    throw error;
  }
}
