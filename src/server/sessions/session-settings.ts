/** When a streamed request keeps its events for a resume: only when it asks, or always. */
export type ResumePolicy = 'on_request' | 'always';

/**
 * The `sessions` settings (config `server.sessions`, in milliseconds and bytes). Every streamed request is a
 * session; these bound what a session may keep and for how long. See docs/sessions.md.
 */
export interface SessionSettings {
  /** `on_request` (default): a request opts in with `x-circuit-breaker-resumable: true`; `always`: every stream. */
  resume: ResumePolicy;
  /** How long a resumable stream keeps generating with no client attached before its upstream is aborted. */
  detachTimeoutMs: number;
  /** How long a finished resumable session stays readable for a late reconnect. */
  retentionMs: number;
  /** Per-session cap on buffered events: past it the session stops being resumable. */
  maxEvents: number;
  /** Per-session cap on buffered bytes (serialized SSE frames): past it the session stops being resumable. */
  maxBytes: number;
  /** Sessions held at once, live and finished; at the cap the oldest finished goes, or a new stream gets a 503. */
  maxSessions: number;
}

export const defaultSessionSettings: Readonly<SessionSettings> = {
  resume: 'on_request',
  detachTimeoutMs: 60_000,
  retentionMs: 300_000,
  maxEvents: 10_000,
  maxBytes: 4 * 1024 * 1024,
  maxSessions: 10_000,
};
