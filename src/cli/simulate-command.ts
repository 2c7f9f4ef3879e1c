import { parseArgs } from 'node:util';
import { installSignalHandlers } from '../node/install-signal-handlers.js';
import { type SimulatorOptions, startSimulator } from '../simulator/index.js';
import { UsageError } from './usage-error.js';

export const simulateUsage = `Usage: circuit-breaker simulate [--port PORT] [--host HOST] [--ttft MS] [--tps N] [--tokens N] [--api-key KEY] [--lean]

Runs the provider simulator: an offline upstream speaking the OpenAI, Anthropic and Gemini APIs, with deterministic
answers, pacing and faults on demand. Point any SDK at it to test your app without keys or cost.

Options:
  -p, --port PORT      listen port; 0 picks a free one (default 4010)
      --host HOST      listen address (default 127.0.0.1)
      --ttft MS        milliseconds before the first token (default 0)
      --tps N          tokens per second; 0 = as fast as possible (default 0)
      --tokens N       answer length in tokens (default 20)
      --api-key KEY    accept only this key (default: any non-empty key)
      --lean           precomputed token frames, constant ids: for load benchmarks
  -h, --help           show this help

Per request, append options to the model name or send them in a header:
  model "sim-model+ttft=200+tps=50+tokens=30+fault=drop_after:5"
  header "x-simulator-options: ttft=200;tps=50;fault=status:503"
Faults: status:<code> rate_limit:<s> overloaded stall_before stall_after:<n> drop_after:<n> error_after:<n> slow:<tps>
Control: POST /_simulator/fault {"match":"*","fault":"status:503","remaining":3} · GET /_simulator/stats · POST /_simulator/reset
Docs: docs/simulator.md`;

function parseNonNegative(flag: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || (integer && !Number.isInteger(number))) {
    throw new UsageError(`--${flag} must be a non-negative ${integer ? 'integer' : 'number'}, got "${value}"`);
  }
  return number;
}

/** Reads the command line into simulator options; undefined for `--help`. */
export function parseSimulateArgs(argv: string[]): SimulatorOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      ttft: { type: 'string' },
      tps: { type: 'string' },
      tokens: { type: 'string' },
      'api-key': { type: 'string' },
      lean: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;
  const port = parseNonNegative('port', values.port, true) ?? 4010;
  if (port > 65535) throw new UsageError(`--port must be a port number (0-65535), got "${values.port}"`);
  return {
    host: values.host ?? '127.0.0.1',
    port,
    ttftMs: parseNonNegative('ttft', values.ttft, false),
    tokensPerSecond: parseNonNegative('tps', values.tps, false),
    tokens: parseNonNegative('tokens', values.tokens, true),
    apiKey: values['api-key'] === '' ? undefined : values['api-key'],
    lean: values.lean ?? false,
  };
}

/** The startup banner: where the simulator listens and the base URL each SDK takes. */
export function formatSimulateBanner(url: string, options: SimulatorOptions): string {
  const settings = [
    `ttft ${options.ttftMs ?? 0} ms`,
    options.tokensPerSecond ? `${options.tokensPerSecond} tokens/s` : 'unpaced',
    `${options.tokens ?? 20} tokens`,
    options.apiKey ? 'key required' : 'any key',
    ...(options.lean ? ['lean'] : []),
  ].join(', ');
  return [
    `Provider simulator listening on ${url} (${settings})`,
    '',
    'Base URLs:',
    `  OpenAI     ${url}/v1      new OpenAI({ baseURL: '${url}/v1', apiKey: 'sim' })`,
    `  Anthropic  ${url}         new Anthropic({ baseURL: '${url}', apiKey: 'sim' })`,
    `  Gemini     ${url}         POST ${url}/v1beta/models/sim-model:streamGenerateContent?alt=sse`,
    '',
    'Try it:',
    `  curl -N ${url}/v1/chat/completions -H 'authorization: Bearer sim' \\`,
    `    -d '{"model":"sim-model+tps=20","stream":true,"messages":[{"role":"user","content":"Hello"}]}'`,
    '',
    `Stats: ${url}/_simulator/stats   Ctrl-C to stop.`,
    '',
  ].join('\n');
}

/** `circuit-breaker simulate`: runs the simulator until SIGINT/SIGTERM. */
export async function runSimulateCommand(argv: string[]): Promise<void> {
  const options = parseSimulateArgs(argv);
  if (options === undefined) {
    process.stdout.write(`${simulateUsage}\n`);
    return;
  }
  const simulator = await startSimulator(options);
  process.stdout.write(formatSimulateBanner(simulator.url, options));
  installSignalHandlers({ shutdown: () => simulator.close() });
}
