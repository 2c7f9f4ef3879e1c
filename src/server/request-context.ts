import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { CircuitBreakerError } from '../core/errors/circuit-breaker-error.js';
import type { Router } from '../core/router/create-router.js';
import type { CompletionTap } from './observability/completion-observer.js';
import type { Observability } from './observability/create-observability.js';
import type { SessionStore } from './sessions/create-session-store.js';
import type { SessionOutcome } from './sessions/create-stream-session.js';

/** The error envelope a route answers in: OpenAI's for `/v1/chat/completions` and the rest, Anthropic's for `/v1/messages`. */
export type ErrorFormat = 'openai' | 'anthropic';

/** What every request of one gateway shares: the router and the resolved options. */
export interface GatewaySettings {
  router: Router;
  maxBodyBytes: number;
  headerDeadlineMs: number;
  keepAliveIntervalMs: number;
  logContent: boolean;
  /** Every streamed request's session: list, resume, cancel (see docs/sessions.md). */
  sessions: SessionStore;
  /** Provider and gateway keys: removed from every outgoing message and log line, whatever an upstream echoes. */
  secrets: readonly string[];
  /** Metrics, dashboard, usage ledger and limits (`/metrics`, `/ready`, `/dashboard`, `/v1/usage`); absent: those routes 404. */
  observability?: Observability;
}

/** The facts of one request that end up in its single log line. Never content unless `logContent`. */
export interface RequestLogFields {
  model?: string;
  stream?: boolean;
  provider?: string;
  deployment?: string;
  attempts?: number;
  ttftMs?: number;
  promptTokens?: number;
  completionTokens?: number;
  failovers?: number;
  hedged?: boolean;
  outcome?: 'success' | 'error' | 'cancelled';
  errorCode?: string;
  errorMessage?: string;
  content?: unknown;
}

/** One request as the routes see it. */
export interface RequestContext {
  readonly gateway: GatewaySettings;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly format: ErrorFormat;
  /**
   * The request id headers (`x-request-id`, and `request-id` in Anthropic's format), for a response that writes all
   * its headers in one `writeHead`: a completion's. Why not `setHeader` up front: it gives the response a
   * stored-headers object (~0.5 KB) that a stream would hold for its whole life.
   */
  idHeaders(): OutgoingHttpHeaders;
  /** Sets the request id headers with `setHeader` (every response but a completion's; a no-op once headers are out). */
  setIdHeaders(): void;
  /** A short hash of the caller's gateway key (never the key itself) once authenticated; for sessions and usage. */
  identity: string | undefined;
  /**
   * Aborted when the client disconnects before the response finished, or by `Gateway.abortAll`; a non-streamed
   * router call takes it, so the abort reaches the upstream fetch. Made on first read: a stream uses `onAbort`.
   */
  readonly signal: AbortSignal;
  /**
   * The one thing to call, with the reason, when the request is aborted (as `signal` is), instead of a signal:
   * at once when it already was. A streamed request's session registers its stream here.
   */
  onAbort(listener: (reason: unknown) => void): void;
  /** True once the client went away before the response finished: nothing more can be written. */
  readonly clientGone: boolean;
  readonly log: RequestLogFields;
  /** The parsed request body, set by the completion routes: the ledger estimates prompt tokens of cut streams from it. */
  body: unknown;
  /** Observability's tap for a completion request (set by the gateway after auth and limits); streamed chunks go through it. */
  tap: CompletionTap | undefined;
  /**
   * Set when the request is served as a stream session: settles when the session's stream ended, which may be after
   * the request (a resumable stream generating detached). The tap ends then, with what the stream produced.
   */
  sessionEnd: Promise<SessionOutcome> | undefined;
  /** Links a router request id to this request, so the router's `request-end` event fills the log line. */
  trackRouterRequest(routerRequestId: string): void;
  recordError(error: CircuitBreakerError): void;
}
