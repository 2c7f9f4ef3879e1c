import type { CircuitBreakerError } from '../errors/circuit-breaker-error.js';
import type { Usage } from '../types/chat-chunk.js';

/** What the router reports while it works; metrics, logs and the dashboard subscribe, the router imports none of them. */
export type RouterEvent =
  | { type: 'attempt-start'; requestId: string; deployment: string; attempt: number }
  | { type: 'attempt-failure'; requestId: string; deployment: string; attempt: number; error: CircuitBreakerError }
  | { type: 'retry'; requestId: string; deployment: string; attempt: number; delayMs: number }
  | { type: 'fallback'; requestId: string; from: string; to: string }
  | { type: 'failover'; requestId: string; from: string; to: string; deliveredCharacters: number }
  | { type: 'hedge'; requestId: string; primary: string; hedge: string; winner?: string }
  | { type: 'circuit-open'; deployment: string; cooldownMs: number }
  | { type: 'circuit-half-open'; deployment: string }
  | { type: 'circuit-close'; deployment: string }
  | { type: 'malformed-event'; provider: string }
  | { type: 'first-token'; requestId: string; deployment: string; timeToFirstTokenMs: number }
  | {
      type: 'request-end';
      requestId: string;
      requestedModel: string;
      deployment?: string;
      provider?: string;
      stream: boolean;
      outcome: 'success' | 'error' | 'cancelled';
      usage?: Usage;
      timeToFirstTokenMs?: number;
      durationMs: number;
      attempts: number;
      failovers: number;
      hedged: boolean;
      error?: CircuitBreakerError;
    };

export type RouterEventType = RouterEvent['type'];
export type RouterEventOf<T extends RouterEventType> = Extract<RouterEvent, { type: T }>;
export type RouterEventListener<T extends RouterEventType = RouterEventType> = (event: RouterEventOf<T>) => void;

/** A minimal typed emitter: listeners per type plus `*`; a throwing listener never breaks a stream. */
export function createRouterEventEmitter() {
  const listeners = new Map<string, Set<(event: RouterEvent) => void>>();
  return {
    on<T extends RouterEventType | '*'>(
      type: T,
      listener: T extends RouterEventType ? RouterEventListener<T> : (event: RouterEvent) => void,
    ): () => void {
      let set = listeners.get(type);
      if (!set) {
        set = new Set();
        listeners.set(type, set);
      }
      set.add(listener as (event: RouterEvent) => void);
      return () => set.delete(listener as (event: RouterEvent) => void);
    },
    emit(event: RouterEvent): void {
      for (const key of [event.type, '*']) {
        const set = listeners.get(key);
        if (!set) continue;
        for (const listener of set) {
          try {
            listener(event);
          } catch {
            // Observers must not be able to break routing.
          }
        }
      }
    },
  };
}

export type RouterEventEmitter = ReturnType<typeof createRouterEventEmitter>;
