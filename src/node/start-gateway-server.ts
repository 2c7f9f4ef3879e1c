import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { ConfigError } from '../core/errors/request-errors.js';
import type { RouterConfigInput } from '../core/router/config-schema.js';
import { createRouter, type Router } from '../core/router/create-router.js';
import type { Environment } from '../core/router/interpolate-env.js';
import { createGateway, type Gateway } from '../server/create-gateway.js';
import { createObservability, type Observability } from '../server/observability/create-observability.js';
import { metricsConfigSchema } from '../server/observability/metrics-config-schema.js';
import { createLogger } from './create-logger.js';
import { createNodeHttpTransport } from './create-node-http-transport.js';
import { isLoopbackHost } from './is-loopback-host.js';
import { createSqliteLedger } from './ledger/create-sqlite-ledger.js';
import { parseLedgerConfig } from './ledger/ledger-config-schema.js';
import { seedBudgetsFromLedger } from './ledger/seed-budgets.js';
import { createSharedState, resolveStateConfig, type SharedState } from './redis/create-shared-state.js';
import { resolveServerConfig, type ServerConfig } from './server-config-schema.js';

export interface StartGatewayServerOptions {
  /** The whole config: router sections plus the `server` section. Providers from the environment when omitted. */
  config?: RouterConfigInput;
  /** For `${VAR}` interpolation and the `HOST`/`PORT`/`CIRCUIT_BREAKER_API_KEYS` overrides; `process.env` by default. */
  env?: Environment;
  /** Overrides `server.host` (and `HOST`). */
  host?: string;
  /** Overrides `server.port` (and `PORT`); 0 picks a free port. */
  port?: number;
  /** Permits a non-loopback bind with no gateway API keys configured. */
  allowUnauthenticated?: boolean;
  /** A logger at `server.log_level` on stderr when omitted. */
  logger?: Logger;
  /** Injectable fetch for the providers (tests). */
  fetch?: typeof fetch;
}

export interface GatewayServer {
  /** A URL that reaches the server from this machine (a wildcard bind is reported as loopback). */
  url: string;
  host: string;
  port: number;
  server: Server;
  gateway: Gateway;
  router: Router;
  /** Metrics, dashboard state, usage ledger and limits. */
  observability: Observability;
  /** Breakers, stats, limit counters and resumable sessions: in memory, or shared through Redis (`state` section). */
  sharedState: SharedState;
  settings: ServerConfig;
  logger: Logger;
  /** Stops at once: aborts every stream and closes every connection. */
  close(): Promise<void>;
  /**
   * Graceful stop: refuses new connections, lets in-flight requests (streams included) finish for up to `graceMs`
   * (`server.shutdown_grace_ms` by default), then aborts what is left and closes the connections.
   */
  shutdown(graceMs?: number): Promise<void>;
}

/** Idle keep-alive connections live longer than a typical load balancer's (60 s), so the proxy closes first. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
/** After `abortAll`, how long aborted responses get to write their final error event before sockets are cut. */
const ABORT_FLUSH_MS = 1_000;
const POLL_INTERVAL_MS = 25;

/**
 * Starts the gateway on a Node HTTP server: router, gateway, listening socket. Refuses to listen beyond loopback
 * without API keys unless `allowUnauthenticated` is set, so that a misconfigured deploy never exposes provider
 * keys to the network.
 */
export async function startGatewayServer(options: StartGatewayServerOptions = {}): Promise<GatewayServer> {
  const env = options.env ?? process.env;
  const config = options.config;
  const settings = resolveServerConfig((config as { server?: unknown } | undefined)?.server, env);
  const host = options.host ?? settings.host;
  const port = options.port ?? settings.port;
  assertSafeBind({ host, apiKeys: settings.api_keys, allowUnauthenticated: options.allowUnauthenticated ?? false });

  const logger = options.logger ?? createLogger({ level: settings.log_level });
  const stateConfig = resolveStateConfig((config as { state?: unknown } | undefined)?.state, env);
  const sharedState = await createSharedState({ config: stateConfig, logger });
  // Providers call upstream with node:http (no web-stream body per token) unless a fetch is injected.
  const transport = options.fetch ? undefined : createNodeHttpTransport();
  const router = createRouter(config, {
    env,
    store: sharedState.stateStore,
    ...(options.fetch ? { fetch: options.fetch } : { transport }),
  });
  const observability = await createServerObservability({ config, router, logger, sharedState });
  sharedState.registerMetrics(observability.metrics.registry);
  const gateway = createGateway({
    router,
    apiKeys: settings.api_keys,
    maxBodyBytes: settings.max_body_bytes,
    headerDeadlineMs: settings.header_deadline_ms,
    keepAliveIntervalMs: settings.keep_alive_interval_ms,
    logger,
    logContent: settings.log_content,
    corsOrigins: settings.cors_origins,
    webSocket: {
      pingIntervalMs: settings.websocket.ping_interval_ms,
      maxBufferedBytes: settings.websocket.max_buffered_bytes,
      maxStreamsPerSocket: settings.websocket.max_streams_per_socket,
    },
    observability,
    sessionJournal: sharedState.sessionJournal({
      retentionMs: settings.sessions.retention_ms,
      maxEvents: settings.sessions.max_events,
      maxBytes: settings.sessions.max_bytes,
    }),
    sessions: {
      resume: settings.sessions.resume,
      detachTimeoutMs: settings.sessions.detach_timeout_ms,
      retentionMs: settings.sessions.retention_ms,
      maxEvents: settings.sessions.max_events,
      maxBytes: settings.sessions.max_bytes,
      maxSessions: settings.sessions.max_sessions,
    },
  });

  let inFlight = 0;
  let stopping = false;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    inFlight += 1;
    response.once('close', () => {
      inFlight -= 1;
    });
    // A keep-alive connection can still bring requests after close(); serve them, then let the connection go.
    if (stopping) response.setHeader('connection', 'close');
    gateway.handleRequest(request, response);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Slowloris guard: the whole header block must arrive within the deadline.
  server.headersTimeout = settings.header_deadline_ms;
  // Tokens are small writes: send each at once instead of waiting for Nagle to coalesce them.
  server.on('connection', (socket) => socket.setNoDelay(true));
  // `/v1/ws`: the gateway authenticates the upgrade; a stopping server takes no new sockets.
  server.on('upgrade', (request, socket, head) => {
    if (stopping) socket.destroy();
    else gateway.handleUpgrade(request, socket, head);
  });

  await listen(server, host, port);
  const address = server.address() as AddressInfo;
  const url = `http://${formatHostForUrl(connectableHost(address.address))}:${address.port}`;

  const waitFor = async (condition: () => boolean, deadline: number) => {
    while (!condition() && Date.now() < deadline) {
      server.closeIdleConnections();
      await delay(Math.min(POLL_INTERVAL_MS, Math.max(1, deadline - Date.now())));
    }
  };

  let stopped: Promise<void> | undefined;
  const stop = (graceMs: number): Promise<void> => {
    stopped ??= (async () => {
      stopping = true;
      // Ends the dashboards' live feeds: an open dashboard must not hold up the drain.
      observability.live.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const idle = () => inFlight === 0 && gateway.activeStreams() === 0;
      await waitFor(idle, Date.now() + graceMs);
      if (!idle()) {
        logger.warn(
          { activeStreams: gateway.activeStreams(), inFlight },
          'shutdown grace period over: aborting streams',
        );
        gateway.abortAll();
        await waitFor(idle, Date.now() + ABORT_FLUSH_MS);
      }
      server.closeAllConnections();
      // Upgraded sockets and retained sessions are no longer the HTTP server's: the gateway lets them go.
      gateway.close();
      await closed;
      // The last usage rows are written before the process may exit.
      await observability.close();
      await sharedState.close();
      await transport?.close();
    })();
    return stopped;
  };

  return {
    url,
    host: address.address,
    port: address.port,
    server,
    gateway,
    router,
    observability,
    sharedState,
    settings,
    logger,
    close: () => stop(0),
    shutdown: (graceMs = settings.shutdown_grace_ms) => stop(graceMs),
  };
}

function assertSafeBind(options: { host: string; apiKeys: readonly unknown[]; allowUnauthenticated: boolean }): void {
  if (options.apiKeys.length > 0 || options.allowUnauthenticated || isLoopbackHost(options.host)) return;
  throw new ConfigError(
    `Refusing to listen on ${options.host} without authentication: anyone who can reach it could spend your provider keys. ` +
      'Set gateway keys (CIRCUIT_BREAKER_API_KEYS=key1,key2 or server.api_keys in the config file), ' +
      'listen on 127.0.0.1, or pass --allow-unauthenticated if something in front of the gateway authenticates.',
    { param: 'server.host' },
  );
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      const reason =
        error.code === 'EADDRINUSE'
          ? `port ${port} is already in use (pick another with --port, or 0 for any free port)`
          : error.code === 'EADDRNOTAVAIL'
            ? `address ${host} is not available on this machine`
            : error.message;
      reject(new ConfigError(`Cannot listen on ${host}:${port}: ${reason}`, { param: 'server.port', cause: error }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port });
  });
}

function connectableHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (address === '::') return '::1';
  return address;
}

function formatHostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The config's `ledger`, `limits` and `metrics` sections → observability: the SQLite ledger (on by default at
 * `./.cb-data/ledger.sqlite`; `ledger: false` turns it off), per-key limits with budgets seeded from the ledger.
 */
async function createServerObservability(options: {
  config: RouterConfigInput | undefined;
  router: Router;
  logger: Logger;
  sharedState: SharedState;
}): Promise<Observability> {
  const sections = (options.config ?? {}) as { ledger?: unknown; limits?: unknown; metrics?: unknown };
  const parse = <T>(name: string, read: () => T): T => {
    try {
      return read();
    } catch (error) {
      const issue = (error as { issues?: { path: PropertyKey[]; message: string }[] }).issues?.[0];
      const path = [name, ...(issue?.path.map(String) ?? [])].join('.');
      throw new ConfigError(`Invalid config at ${path}: ${issue?.message ?? String(error)}`, { param: path });
    }
  };
  const ledgerConfig = parse('ledger', () => parseLedgerConfig(sections.ledger));
  const metricsConfig = parse('metrics', () => metricsConfigSchema.parse(sections.metrics ?? {}));
  const ledger =
    ledgerConfig === false
      ? undefined
      : createSqliteLedger({
          path: ledgerConfig.path,
          batchMs: ledgerConfig.batch_ms,
          batchSize: ledgerConfig.batch_size,
          onError: (error, droppedRows) =>
            options.logger.error({ err: error, droppedRows }, 'usage ledger write failed'),
        });
  const observability = parse('limits', () =>
    createObservability({
      router: options.router,
      ledger,
      limits: sections.limits,
      limitStore: options.sharedState.limitStore,
      ...(options.sharedState.backend === 'redis' ? { sharedState: options.sharedState.status } : {}),
      metricsPublic: metricsConfig.public,
    }),
  );
  // Shared counters outlive an instance's restart (and hold every instance's spend): seeding would count it twice.
  if (options.sharedState.backend === 'memory') await seedBudgetsFromLedger(observability);
  return observability;
}
