import { parseArgs } from 'node:util';
import { installSignalHandlers } from '../node/install-signal-handlers.js';
import { resolveGatewayConfig } from '../node/resolve-gateway-config.js';
import { formatSimulatorBanner } from '../node/simulator-config.js';
import { startGatewayServer } from '../node/start-gateway-server.js';
import { UsageError } from './usage-error.js';

export const serveUsage = `Usage: circuit-breaker serve [--config FILE] [--host HOST] [--port PORT] [--allow-unauthenticated]

Starts the gateway: OpenAI-compatible /v1/chat/completions (and the other routes) in front of your providers.
Providers come from the config file, else from OPENAI_API_KEY / ANTHROPIC_API_KEY / GOOGLE_API_KEY; with neither,
the gateway runs on the built-in provider simulator so you can try it with no keys at all.

Options:
  -c, --config FILE            YAML or JSON config (providers, models, server, …); also CIRCUIT_BREAKER_CONFIG
      --host HOST              listen address (default: server.host, HOST, or 127.0.0.1)
  -p, --port PORT              listen port; 0 picks a free one (default: server.port, PORT, or 3000)
      --allow-unauthenticated  listen beyond loopback with no gateway keys (something in front authenticates)
  -h, --help                   show this help

Gateway keys: CIRCUIT_BREAKER_API_KEYS=key1,key2 or server.api_keys. SIGTERM/SIGINT drain in-flight streams
(server.shutdown_grace_ms) before exiting.`;

/** `circuit-breaker serve`: runs until SIGTERM/SIGINT, then drains and exits 0. */
export async function runServeCommand(argv: string[]): Promise<number | undefined> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string', short: 'c' },
      host: { type: 'string' },
      port: { type: 'string', short: 'p' },
      'allow-unauthenticated': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${serveUsage}\n`);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new UsageError(`--port must be a port number (0-65535), got "${values.port}"`);
  }

  const env = process.env;
  const resolved = await resolveGatewayConfig({ configPath: values.config, env });
  let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
  try {
    gateway = await startGatewayServer({
      config: resolved.config,
      env,
      host: values.host,
      port,
      allowUnauthenticated: values['allow-unauthenticated'] ?? false,
    });
  } catch (error) {
    await resolved.simulator?.close();
    throw error;
  }

  const { logger, settings } = gateway;
  installSignalHandlers({
    logger,
    shutdown: async () => {
      await gateway.shutdown();
      // The simulator is the gateway's upstream: it goes last, after the streams it feeds have ended.
      await resolved.simulator?.close();
      logger.flush();
    },
  });

  const providers = Object.keys(gateway.router.config.providers);
  logger.info(
    {
      url: gateway.url,
      source: resolved.source,
      configPath: resolved.configPath,
      providers,
      authenticated: settings.api_keys.length > 0,
    },
    'gateway listening',
  );
  if (resolved.simulator) {
    process.stderr.write(
      `${formatSimulatorBanner({ gatewayUrl: gateway.url, apiKey: settings.api_keys.length > 0 ? '<one of your gateway keys>' : undefined })}\n`,
    );
  } else {
    process.stderr.write(
      `Providers (${resolved.source === 'file' ? resolved.configPath : 'from the environment'}): ${providers.join(', ')}\n`,
    );
  }
  process.stdout.write(`Circuit Breaker gateway listening on ${gateway.url}\n`);
  return undefined;
}
