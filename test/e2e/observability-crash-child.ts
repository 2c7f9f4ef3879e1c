import { createLogger } from '../../src/node/create-logger.js';
import { startGatewayServer } from '../../src/node/start-gateway-server.js';
import { startSimulator } from '../../src/simulator/start-simulator.js';
import { observedConfig } from './observability-harness.js';

/** The process the crash test kills: a simulator and a gateway whose ledger batches rows (argv: path, batch ms, batch size). */
const [path, batchMs, batchSize] = process.argv.slice(2);
const simulator = await startSimulator({ port: 0, ttftMs: 0, tokensPerSecond: 0, tokens: 8 });
const server = await startGatewayServer({
  config: observedConfig(simulator.url, {
    ledger: { path, batch_ms: Number(batchMs), batch_size: Number(batchSize) },
  }),
  port: 0,
  env: {},
  logger: createLogger({ level: 'silent' }),
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
