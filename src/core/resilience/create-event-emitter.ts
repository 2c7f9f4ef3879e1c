/** A listener for one event of an event map. */
export type Listener<T> = (event: T) => void;

/** Subscribe side of a typed emitter: what policies expose so metrics and logs can listen. */
export interface EventSource<Events extends object> {
  /** Adds a listener; returns the function that removes it. */
  on<Name extends keyof Events>(name: Name, listener: Listener<Events[Name]>): () => void;
}

/** A typed emitter: the policy keeps `emit`, hands out `on`. */
export interface EventEmitter<Events extends object> extends EventSource<Events> {
  emit<Name extends keyof Events>(name: Name, event: Events[Name]): void;
}

/**
 * The tiny typed emitter the policies use, so they never import metrics or logging (STYLE rule 6). Listeners are
 * called synchronously in subscription order, after the state change they report has been stored; a listener
 * must not throw (its error would surface in the policy call that emitted).
 */
export function createEventEmitter<Events extends object>(): EventEmitter<Events> {
  const listeners = new Map<keyof Events, Set<Listener<never>>>();
  return {
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) {
        set = new Set();
        listeners.set(name, set);
      }
      set.add(listener as Listener<never>);
      return () => {
        set.delete(listener as Listener<never>);
      };
    },
    emit(name, event) {
      const set = listeners.get(name);
      if (!set) return;
      for (const listener of [...set]) (listener as Listener<typeof event>)(event);
    },
  };
}
