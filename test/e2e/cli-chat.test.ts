import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulatorBackend } from '../../src/node/simulator-config.js';
import { type GatewayServer, startGatewayServer } from '../../src/node/start-gateway-server.js';
import type { SimulatorHandle } from '../../src/simulator/start-simulator.js';

/** `circuit-breaker chat` as a real process: in-process routing on the simulator, and through a running gateway. */

/** Each test starts real Node processes through tsx: generous, for loaded CI machines. */
const processTimeoutMs = 60_000;
const repositoryRoot = join(import.meta.dirname, '..', '..');
const providerVariables = /^(OPENAI|ANTHROPIC|GOOGLE|GEMINI)_|^CIRCUIT_BREAKER_|^(HOST|PORT)$/;
const statsLine = /── \d+ ms to first token · (\d+) tokens · [\d.]+ tokens\/s · \d+ ms total · served by (\S+)/;

function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!providerVariables.test(name)) env[name] = value;
  return { ...env, ...extra };
}

interface ChatRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runChat(args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<ChatRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['--import', 'tsx', 'src/cli/index.ts', 'chat', ...args],
      { cwd: repositoryRoot, env: options.env ?? cleanEnvironment() },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

describe('circuit-breaker chat', { timeout: processTimeoutMs }, () => {
  let gateway: GatewayServer;
  let simulator: SimulatorHandle;
  let inProcess: ChatRun;

  beforeAll(async () => {
    const backend = await startSimulatorBackend();
    simulator = backend.simulator;
    gateway = await startGatewayServer({
      config: { ...backend.config, server: { api_keys: ['chat-key'], log_level: 'silent' } },
      env: {},
      port: 0,
    });
  });

  afterAll(async () => {
    await gateway?.close();
    await simulator?.close();
  });

  it('streams the answer to stdout and the stats line to stderr, on the simulator when no keys are set', async () => {
    inProcess = await runChat(['-m', 'sim-gpt', 'What does a circuit breaker do?']);
    expect(inProcess.code, inProcess.stderr).toBe(0);
    expect(inProcess.stderr).toContain('built-in simulator');
    expect(inProcess.stdout.trim().split(/\s+/).length).toBeGreaterThan(20);
    const [, tokens, servedBy] = inProcess.stderr.match(statsLine) ?? [];
    expect(Number(tokens)).toBe(60);
    expect(servedBy).toBe('sim-openai/sim-gpt');
    // Only the answer on stdout: no spinner or control characters when it is not a terminal.
    expect(inProcess.stdout).not.toMatch(/\x1b|──/);
  });

  it('gives the same answer through a running gateway with --url and a gateway key', async () => {
    const viaGateway = await runChat(['-m', 'sim-gpt', '--url', gateway.url, 'What does a circuit breaker do?'], {
      env: cleanEnvironment({ CIRCUIT_BREAKER_API_KEY: 'chat-key' }),
    });
    expect(viaGateway.code, viaGateway.stderr).toBe(0);
    expect(viaGateway.stdout).toBe(inProcess.stdout);
    expect(viaGateway.stderr.match(statsLine)?.[2]).toBe('sim-openai/sim-gpt');
  });

  it('reports a refused gateway key and exits 1', async () => {
    const refused = await runChat(['-m', 'sim-gpt', '--url', gateway.url, '--api-key', 'wrong', 'Hello']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/HTTP 401/);
  });

  it('reads the prompt from stdin, and converses with history when asked to (-i)', async () => {
    const piped = await runChat(['-m', 'sim-claude'], { input: 'Hello from a pipe\n' });
    expect(piped.code, piped.stderr).toBe(0);
    expect(piped.stderr.match(statsLine)?.[2]).toBe('sim-anthropic/sim-claude');

    const conversation = await runChat(['-i', '-m', 'sim-gemini', '--system', 'Be brief.'], {
      input: 'First question\nSecond question\n/exit\nnever sent\n',
    });
    expect(conversation.code, conversation.stderr).toBe(0);
    expect(conversation.stderr.match(new RegExp(statsLine, 'g'))).toHaveLength(2);
    expect(conversation.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('explains an unknown model', async () => {
    const unknown = await runChat(['-m', 'no-such-model', 'Hello']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("The model 'no-such-model' does not exist");
  });
});
