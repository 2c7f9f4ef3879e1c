import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { Router } from '../core/router/create-router.js';
import { createRequestContext, type OwnedRequestContext } from './create-request-context.js';
import {
  AuthenticationError,
  GatewayShuttingDownError,
  MethodNotAllowedError,
  RouteNotFoundError,
  toGatewayError,
} from './errors/gateway-errors.js';
import { sendError } from './errors/send-error.js';
import { createKeyring, type GatewayKey, type Keyring, keyOf, readQueryKey } from './middleware/authenticate.js';
import { createCorsPolicy } from './middleware/cors.js';
import type { CompletionRoute, CompletionSummary } from './observability/completion-observer.js';
import type { Observability } from './observability/create-observability.js';
import type { ErrorFormat, GatewaySettings, RequestContext, RequestLogFields } from './request-context.js';
import { applyRequestEnd, createAccessLogger, writeRequestLog } from './request-log.js';
import { handleChatCompletions } from './routes/chat-completions.js';
import { handleDashboard, handleDashboardEvents } from './routes/dashboard.js';
import { handleDeployments } from './routes/deployments.js';
import { handleHealth } from './routes/health.js';
import { handleMessages } from './routes/messages.js';
import { handleMetrics } from './routes/metrics.js';
import { handleModels } from './routes/models.js';
import { handleReady } from './routes/ready.js';
import { handleDeleteStream, handleGetStream, handleListStreams, streamPathPrefix } from './routes/streams.js';
import { handleUsage } from './routes/usage.js';
import { createSessionStore, type SessionStore, type SharedSessionJournal } from './sessions/create-session-store.js';
import type { SessionOutcome } from './sessions/create-stream-session.js';
import { StreamCancelledError } from './sessions/session-errors.js';
import { defaultSessionSettings, type SessionSettings } from './sessions/session-settings.js';
import { createWebSocketGateway, type WebSocketGatewayOptions } from './ws/create-websocket-gateway.js';

export interface GatewayOptions {
  router: Router;
  /**
   * Gateway keys callers must present; empty means no auth (the runtime allows that only on loopback). A `{name, key}`
   * entry is identified by its name in usage, limits and logs; a plain key by `key_<hash>`.
   */
  apiKeys?: readonly GatewayKey[];
  /** Largest accepted request body; larger is a 413. Default 10 MiB. */
  maxBodyBytes?: number;
  /** How long response headers wait for the first content before going out anyway. Default 10 000 ms. */
  headerDeadlineMs?: number;
  /** SSE keep-alive comment interval once headers are out and nothing else is written. Default 15 000 ms. */
  keepAliveIntervalMs?: number;
  /** One line per request; without it nothing is logged. */
  logger?: Logger;
  /** Adds request bodies to the log lines. Off by default: prompts are the users' data. */
  logContent?: boolean;
  /** Stream sessions: resume policy, detach timeout, retention and caps (docs/sessions.md). */
  sessions?: Partial<SessionSettings>;
  /** Shares resumable sessions with other gateway instances: resume and cancel through any of them (docs/deploy.md). */
  sessionJournal?: SharedSessionJournal;
  /**
   * Origins whose pages may call the API from a browser (`access-control-allow-origin`; `*` for any). Default none:
   * same-origin pages only. Preflights (`OPTIONS`) on `/v1/*` are answered either way.
   */
  corsOrigins?: readonly string[];
  /** `/v1/ws`: ping interval, per-socket buffer bound and stream count (defaults 30 s, 1 MiB, 100). */
  webSocket?: Pick<WebSocketGatewayOptions, 'pingIntervalMs' | 'maxBufferedBytes' | 'maxStreamsPerSocket'>;
  /** Metrics, readiness, dashboard, usage ledger and per-key limits (`createObservability`); without it those routes 404. */
  observability?: Observability;
}

/** The HTTP core, independent of the listening server: `http.createServer(gateway.handleRequest)`. */
export interface Gateway {
  handleRequest(req: IncomingMessage, res: ServerResponse): void;
  /** Completion requests in flight (streamed or not): the runtime waits for zero on graceful shutdown. */
  activeStreams(): number;
  /** Aborts every completion in flight; a client still connected gets a 503, or an error event mid-stream. */
  abortAll(reason?: unknown): void;
  /** The stream sessions (`/v1/streams`). */
  readonly sessions: SessionStore;
  /** `/v1/ws` upgrades: `server.on('upgrade', gateway.handleUpgrade)`. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Aborts everything and clears the sessions' timers: the gateway holds nothing afterwards. */
  close(): void;
}

interface RouteDefinition {
  format: ErrorFormat;
  /** Whether the gateway keys apply; `/health` stays open for load balancers, `/metrics` when configured public. */
  authenticated: boolean | ((settings: GatewaySettings) => boolean);
  /** Whether the route calls the router (counted by `activeStreams`, aborted by `abortAll`). */
  completion: boolean;
  methods: Readonly<Record<string, (context: RequestContext) => Promise<void>>>;
  /** Methods that also take the key as `?api_key=` (a browser `EventSource` cannot set headers). */
  queryKeyMethods?: readonly string[];
}

/** The routing table: path → format, auth and one handler per method. */
const routes: Readonly<Record<string, RouteDefinition>> = {
  '/v1/chat/completions': {
    format: 'openai',
    authenticated: true,
    completion: true,
    methods: { POST: handleChatCompletions },
  },
  '/v1/messages': { format: 'anthropic', authenticated: true, completion: true, methods: { POST: handleMessages } },
  '/v1/models': { format: 'openai', authenticated: true, completion: false, methods: { GET: handleModels } },
  '/v1/deployments': {
    format: 'openai',
    authenticated: true,
    completion: false,
    methods: { GET: handleDeployments },
  },
  '/v1/streams': { format: 'openai', authenticated: true, completion: false, methods: { GET: handleListStreams } },
  '/health': { format: 'openai', authenticated: false, completion: false, methods: { GET: handleHealth } },
  '/ready': { format: 'openai', authenticated: false, completion: false, methods: { GET: handleReady } },
  '/metrics': {
    format: 'openai',
    authenticated: (settings) => settings.observability?.metricsPublic !== true,
    completion: false,
    methods: { GET: handleMetrics },
  },
  // The page holds no data; its live feed takes the key (see routes/dashboard.ts).
  '/dashboard': { format: 'openai', authenticated: false, completion: false, methods: { GET: handleDashboard } },
  '/dashboard/events': {
    format: 'openai',
    authenticated: true,
    completion: false,
    methods: { GET: handleDashboardEvents },
  },
  '/v1/usage': { format: 'openai', authenticated: true, completion: false, methods: { GET: handleUsage } },
};

/** `/v1/streams/{id}`: one stream session (resume, cancel); a resume may carry its key as `?api_key=` (EventSource). */
const streamRoute: RouteDefinition = {
  format: 'openai',
  authenticated: true,
  completion: false,
  methods: { GET: handleGetStream, DELETE: handleDeleteStream },
  queryKeyMethods: ['GET'],
};

/** The prefix of the API routes, the ones answering CORS preflights. */
const apiPathPrefix = '/v1/';

/**
 * Creates the gateway: OpenAI-compatible `/v1/chat/completions` and `/v1/models`, Anthropic-compatible
 * `/v1/messages`, and `/health`, on plain `node:http` (see docs/decisions/0002-node-http-server.md). A thin shell:
 * each route parses, calls the router and responds; errors go through one mapper per caller format.
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { router, logger } = options;
  const accessLog = logger ? createAccessLogger(logger) : undefined;
  const apiKeys = options.apiKeys ?? [];
  const journal = options.sessionJournal;
  const sessions = createSessionStore(
    { ...defaultSessionSettings, ...options.sessions },
    journal
      ? {
          openJournal: (meta) => journal.open(meta),
          findRemote: (id, owner) => journal.find(id, owner),
          removeRemote: (id) => void journal.remove(id),
        }
      : {},
  );
  // A DELETE that reached another instance: the stream runs here.
  journal?.onCancel((id, owner) => sessions.get(id, owner)?.abort(new StreamCancelledError()));
  // A resume through another instance: the stream keeps running here as if its reader were attached here.
  journal?.onRemoteReader?.((id, owner) => sessions.holdForRemoteReader(id, owner));
  const settings: GatewaySettings = {
    router,
    sessions,
    maxBodyBytes: options.maxBodyBytes ?? 10 * 1024 * 1024,
    headerDeadlineMs: options.headerDeadlineMs ?? 10_000,
    keepAliveIntervalMs: options.keepAliveIntervalMs ?? 15_000,
    logContent: options.logContent ?? false,
    secrets: [
      ...Object.values(router.config.providers).flatMap((provider) => (provider.api_key ? [provider.api_key] : [])),
      ...apiKeys.map(keyOf),
    ],
    observability: options.observability,
  };
  const keyring = createKeyring(apiKeys);
  const cors = createCorsPolicy(options.corsOrigins ?? []);
  const webSocket = createWebSocketGateway({
    router,
    keyring,
    secrets: settings.secrets,
    maxMessageBytes: settings.maxBodyBytes,
    ...options.webSocket,
  });
  const inFlight = new Set<OwnedRequestContext>();
  const routerRequests = new Map<string, RequestLogFields>();
  router.on('request-end', (event) => {
    const log = routerRequests.get(event.requestId);
    if (!log) return;
    routerRequests.delete(event.requestId);
    applyRequestEnd(log, event);
  });

  async function dispatch(context: RequestContext, route: RouteDefinition | undefined, path: string): Promise<void> {
    const api = path.startsWith(apiPathPrefix);
    // Errors too carry the CORS headers: a browser script can then read why it was refused.
    if (api) cors.apply(context.req, context.res);
    if (!route) throw new RouteNotFoundError(path);
    const method = context.req.method ?? 'GET';
    // A completion writes its id headers with the rest, in one writeHead (idHeaders); every other response now.
    if (!route.completion || method === 'OPTIONS') context.setIdHeaders();
    // A preflight carries no key: it asks whether the real request may be sent.
    if (method === 'OPTIONS' && api) return cors.preflight(context.req, context.res, Object.keys(route.methods));
    const handler = route.methods[method];
    if (!handler) throw new MethodNotAllowedError(method, path, Object.keys(route.methods));
    const authenticated =
      typeof route.authenticated === 'function' ? route.authenticated(settings) : route.authenticated;
    if (authenticated && keyring.enabled) {
      context.identity = identify(keyring, context.req, route.queryKeyMethods?.includes(method) === true);
      if (!context.identity) throw new AuthenticationError();
    }
    const observability = settings.observability;
    if (route.completion && observability) {
      const identity = context.identity ?? 'anonymous';
      await observability.checkLimits(identity, path as CompletionRoute);
      context.tap = observability.observer.start({
        requestId: context.requestId,
        route: path as CompletionRoute,
        identity,
        startedAt: Date.now(),
      });
    }
    // Returned, not awaited: a suspended frame here would stay in memory for as long as the stream is open.
    return handler(context);
  }

  return {
    handleRequest(req, res) {
      const startedAt = performance.now();
      const url = req.url ?? '/';
      const query = url.indexOf('?');
      const path = query === -1 ? url : url.slice(0, query);
      const route = Object.hasOwn(routes, path)
        ? routes[path]
        : path.startsWith(streamPathPrefix) && path.length > streamPathPrefix.length
          ? streamRoute
          : undefined;
      const context = createRequestContext({
        gateway: settings,
        req,
        res,
        format: route?.format ?? 'openai',
        routerRequests,
      });
      const tracked = route?.completion === true;
      if (tracked) inFlight.add(context);
      dispatch(context, route, path)
        .catch((error: unknown) => sendError(context, error))
        .catch(() => {
          // Writing the error response itself failed (the socket broke): nothing left to tell the client.
        })
        .finally(() => {
          const durationMs = performance.now() - startedAt;
          // The bookkeeping of a finished request (log line, usage row, metrics) waits until the I/O already pending
          // is handled: in a burst of client disconnects each one's upstream abort then goes out first, instead of
          // after the bookkeeping of every disconnect handled before it.
          setImmediate(() => {
            if (tracked) inFlight.delete(context);
            // With `log_content` the line carries the request body, which only the process logger's redaction covers.
            if (logger && accessLog)
              writeRequestLog(context.gateway.logContent ? logger : accessLog, context, { route: path, durationMs });
            const finish = (outcome?: SessionOutcome) => {
              if (context.tap) endTap(context, performance.now() - startedAt, outcome);
              context.forgetRouterRequests();
            };
            // A stream's tap ends with its session, which a resumable stream may outlive its request by (detached).
            if (context.sessionEnd) void context.sessionEnd.then(finish);
            else finish();
          });
        });
    },
    // A detached session streams for nobody, yet shutdown must wait for (or abort) it too.
    activeStreams: () => inFlight.size + sessions.detachedCount() + webSocket.activeStreams(),
    abortAll(reason = new GatewayShuttingDownError()) {
      for (const context of inFlight) context.abort(reason);
      sessions.abortAll(toGatewayError(reason));
      webSocket.abortAll(toGatewayError(reason));
    },
    sessions,
    handleUpgrade: (req, socket, head) => webSocket.handleUpgrade(req, socket, head),
    close() {
      for (const context of inFlight) context.abort(new GatewayShuttingDownError());
      sessions.close();
      webSocket.close();
    },
  };
}

/**
 * The request is over (a streamed one: its session is): its summary goes to observability's tap (metrics, dashboard,
 * ledger, limits). A session's outcome wins over the connection's: a resumable stream whose client left and that
 * then finished detached is a success with every token it produced.
 */
function endTap(context: RequestContext, durationMs: number, session?: SessionOutcome): void {
  const { log } = context;
  const { status, outcome } = session ? sessionStatus(context, session) : requestStatus(context);
  context.tap?.end({
    model: log.model,
    stream: log.stream === true,
    deployment: log.deployment,
    provider: log.provider,
    status,
    outcome,
    promptTokens: log.promptTokens,
    completionTokens: log.completionTokens,
    timeToFirstTokenMs: log.ttftMs,
    durationMs,
    attempts: log.attempts,
    failovers: log.failovers ?? 0,
    hedged: log.hedged === true,
    errorCode: log.errorCode ?? session?.error?.code,
    body: context.body,
  });
}

/** The caller's key identity from its headers, or, where the route takes it, the `api_key` query parameter. */
function identify(keyring: Keyring, req: IncomingMessage, queryKey: boolean): string | undefined {
  const fromHeaders = keyring.identify(req);
  if (fromHeaders || !queryKey) return fromHeaders;
  const key = readQueryKey(req.url);
  return key ? keyring.identifyKey(key) : undefined;
}

type Outcome = CompletionSummary['outcome'];

function requestStatus(context: RequestContext): { status: number; outcome: Outcome } {
  const status = context.clientGone ? 499 : context.res.statusCode;
  return {
    status,
    outcome: context.log.outcome ?? (context.clientGone ? 'cancelled' : status < 400 ? 'success' : 'error'),
  };
}

function sessionStatus(context: RequestContext, session: SessionOutcome): { status: number; outcome: Outcome } {
  if (session.state === 'completed') return { status: 200, outcome: 'success' };
  if (session.state === 'cancelled' || session.error?.code === 'CANCELLED')
    return { status: 499, outcome: 'cancelled' };
  // Failed before the headers went out: the route answered the error's status.
  return { status: session.error?.status ?? context.res.statusCode, outcome: 'error' };
}
