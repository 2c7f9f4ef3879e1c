#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { isCircuitBreakerError } from '../core/errors/circuit-breaker-error.js';
import { UsageError } from './usage-error.js';

/**
 * The `circuit-breaker` executable: dispatches to one module per command, loaded on demand so that `chat` does not
 * pay for the server's imports, nor `serve` for the simulator's CLI.
 */

interface Command {
  summary: string;
  run(argv: string[]): Promise<unknown>;
}

const commands: Record<string, Command> = {
  serve: {
    summary: 'run the gateway (on the built-in simulator when no provider keys are set)',
    run: async (argv) => (await import('./serve-command.js')).runServeCommand(argv),
  },
  chat: {
    summary: 'stream an answer in the terminal, with time to first token and tokens/s',
    run: async (argv) => (await import('./chat-command.js')).runChatCommand(argv),
  },
  bench: {
    summary: 'measure what the gateway adds (TTFT, token gaps, throughput, memory, CPU, aborts) against direct calls',
    run: async (argv) => (await import('./bench-command.js')).runBenchCommand(argv),
  },
  usage: {
    summary: 'usage and cost totals from the ledger (by key, model, deployment or day)',
    run: async (argv) => (await import('./usage-command.js')).runUsageCommand(argv),
  },
  simulate: {
    summary: 'run the provider simulator (OpenAI, Anthropic and Gemini protocols) with faults on demand',
    run: async (argv) => (await import('./simulate-command.js')).runSimulateCommand(argv),
  },
};

function readVersion(): string {
  // Two levels up from both src/cli/index.ts and dist/cli/index.js.
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return packageJson.version;
}

function formatHelp(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  return [
    'Usage: circuit-breaker <command> [options]',
    '',
    'An LLM router and gateway that streams every token as the provider produces it.',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    '',
    'Options:',
    '  -h, --help     show help (also: circuit-breaker <command> --help)',
    '  -v, --version  print the version',
    '',
    'Quick start, no keys needed:  circuit-breaker serve   (or: circuit-breaker chat "Hello")',
  ].join('\n');
}

/** Runs the command line; resolves with the exit code, or undefined for a command that keeps running (serve). */
export async function main(argv: string[]): Promise<number | undefined> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${formatHelp()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    process.stdout.write(`${readVersion()}\n`);
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(
      `Unknown command "${name}". Commands: ${Object.keys(commands).join(', ')}. See circuit-breaker --help.\n`,
    );
    return 2;
  }
  try {
    const code = await command.run(rest);
    return typeof code === 'number' ? code : undefined;
  } catch (error) {
    return reportError(name, error);
  }
}

function reportError(command: string, error: unknown): number {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`${(error as Error).message}\nSee: circuit-breaker ${command} --help\n`);
    return 2;
  }
  if (isCircuitBreakerError(error)) {
    process.stderr.write(`error (${error.code}): ${error.message}\n`);
    return 1;
  }
  process.stderr.write(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  return 1;
}

// `circuit-breaker chat … | head`: the reader left, so stop quietly as Unix tools do, instead of an EPIPE trace.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const code = await main(process.argv.slice(2));
// Set, not exit: pending stdout writes (a pipe) still flush, and `serve` keeps running on its open server.
if (code !== undefined) process.exitCode = code;
