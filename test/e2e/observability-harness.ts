import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createLogger } from '../../src/node/create-logger.js';
import { type GatewayServer, startGatewayServer } from '../../src/node/start-gateway-server.js';
import { type SimulatorHandle, type SimulatorOptions, startSimulator } from '../../src/simulator/start-simulator.js';

/** Shared setup of the observability e2e tests: a simulator and a gateway with a ledger in a temp folder. */
export interface ObservedGateway {
  simulator: SimulatorHandle;
  server: GatewayServer;
  url: string;
  ledgerPath: string;
  /** Every finished request's row written to SQLite. */
  settle(): Promise<void>;
  rows(): LedgerRow[];
  close(): Promise<void>;
}

export interface LedgerRow {
  request_id: string;
  identity: string;
  route: string;
  model: string;
  deployment: string | null;
  stream: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  ttft_ms: number | null;
  duration_ms: number;
  outcome: string;
  status: number;
  partial: number;
  estimated: number;
  failover: number;
  hedged: number;
  error_code: string | null;
}

/** The router config of these tests: `duo` has two deployments on one simulator, so a fault can hit one of them. */
export function observedConfig(simulatorUrl: string, extra: Record<string, unknown> = {}) {
  return {
    providers: {
      sim: { type: 'openai' as const, base_url: `${simulatorUrl}/v1`, api_key: 'sk-sim-upstream' },
      simant: { type: 'anthropic' as const, base_url: simulatorUrl, api_key: 'sk-ant-sim-upstream' },
    },
    models: {
      duo: {
        deployments: [
          { provider: 'sim', model: 'sim-alpha' },
          { provider: 'sim', model: 'sim-beta' },
        ],
      },
      'claude-sim': {
        deployments: [{ provider: 'simant', model: 'sim-claude', price: { input_per_1m: 3, output_per_1m: 15 } }],
      },
    },
    prices: { 'sim-alpha': { input_per_1m: 1, output_per_1m: 2 }, 'sim-beta': { input_per_1m: 1, output_per_1m: 2 } },
    retry: { attempts: 0 },
    ...extra,
  };
}

export async function startObservedGateway(
  options: { simulator?: SimulatorOptions; config?: Record<string, unknown>; ledgerPath?: string } = {},
): Promise<ObservedGateway> {
  const simulator = await startSimulator({ port: 0, ttftMs: 5, tokensPerSecond: 0, tokens: 12, ...options.simulator });
  const ledgerPath = options.ledgerPath ?? join(mkdtempSync(join(tmpdir(), 'cb-ledger-')), 'ledger.sqlite');
  const server = await startGatewayServer({
    config: observedConfig(simulator.url, {
      ledger: { path: ledgerPath, batch_ms: 50, batch_size: 50 },
      ...options.config,
    }),
    port: 0,
    env: {},
    logger: createLogger({ level: 'silent' }),
  });
  const settle = async () => {
    await server.observability.settled();
    await server.observability.ledger?.flush();
  };
  return {
    simulator,
    server,
    url: server.url,
    ledgerPath,
    settle,
    rows() {
      // The gateway creates its ledger file with the first row it writes.
      if (!existsSync(ledgerPath)) return [];
      const db = new Database(ledgerPath, { readonly: true });
      try {
        return db.prepare('SELECT * FROM usage ORDER BY id').all() as LedgerRow[];
      } finally {
        db.close();
      }
    },
    async close() {
      await server.close();
      await simulator.close();
    },
  };
}

/** Reads an SSE response to the end (or until `stopAfter` data frames, then aborts) and returns the data frames. */
export async function readSse(
  response: Response,
  options: { stopAfter?: number; abort?: AbortController } = {},
): Promise<string[]> {
  const frames: string[] = [];
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    let index = buffer.indexOf('\n\n');
    while (index !== -1) {
      const frame = buffer.slice(0, index);
      buffer = buffer.slice(index + 2);
      const data = frame
        .split('\n')
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).trim())
        .join('');
      if (data) frames.push(data);
      index = buffer.indexOf('\n\n');
    }
    if (options.stopAfter !== undefined && frames.length >= options.stopAfter) {
      options.abort?.abort();
      await reader.cancel().catch(() => {});
      break;
    }
  }
  return frames;
}

/** Sums the samples of a Prometheus exposition whose name and labels match. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || !line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (.+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[3] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)) found[pair[1]] = pair[2];
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) sum += Number(match[4]);
  }
  return sum;
}

export const openAIBody = (model: string, stream: boolean, content = 'Tell me about circuit breakers.') => ({
  model,
  stream,
  messages: [{ role: 'user', content }],
});

export const anthropicBody = (model: string, stream: boolean) => ({
  model,
  stream,
  max_tokens: 200,
  messages: [{ role: 'user', content: 'Tell me about circuit breakers.' }],
});
