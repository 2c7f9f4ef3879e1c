/**
 * What the router's run reads of an abort: whether and why, and an `abort` listener. A web or Node `AbortSignal`
 * is one; so is the router's `AbortFlag`.
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}
