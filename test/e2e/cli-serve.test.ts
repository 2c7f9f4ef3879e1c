// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the YAML below holds ${VAR} references on purpose
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/start-simulator.js';

/**
 * `circuit-breaker serve` as users run it: a real process (through tsx), real sockets, real signals.
 * The environment is stripped of provider keys, so no-key mode is what a fresh machine sees.
 */

/** Each test starts real Node processes through tsx: generous, for loaded CI machines. */
const processTimeoutMs = 60_000;
const repositoryRoot = join(import.meta.dirname, '..', '..');
const providerVariables = /^(OPENAI|ANTHROPIC|GOOGLE|GEMINI)_|^CIRCUIT_BREAKER_|^(HOST|PORT)$/;

function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!providerVariables.test(name)) env[name] = value;
  return { ...env, ...extra };
}

interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first match of `pattern` in stdout+stderr; rejects if the process exits first. */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

const running: CliProcess[] = [];

function runCli(args: string[], env: NodeJS.ProcessEnv = cleanEnvironment()): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], { cwd: repositoryRoot, env });
  let stdout = '';
  let stderr = '';
  const watchers = new Set<() => void>();
  const notify = () => {
    for (const watcher of watchers) watcher();
  };
  child.stdout.on('data', (data: Buffer) => {
    stdout += data.toString();
    notify();
  });
  child.stderr.on('data', (data: Buffer) => {
    stderr += data.toString();
    notify();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const cli: CliProcess = {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = `${stdout}\n${stderr}`.match(pattern);
          if (!match) return;
          watchers.delete(check);
          resolve(match);
        };
        watchers.add(check);
        check();
        exited.then((code) => {
          watchers.delete(check);
          reject(new Error(`exited (${code}) before ${pattern}:\n${stdout}\n${stderr}`));
        });
      }),
  };
  running.push(cli);
  return cli;
}

async function startServe(args: string[], env?: NodeJS.ProcessEnv): Promise<{ cli: CliProcess; url: string }> {
  const cli = runCli(['serve', ...args], env);
  const [, url] = await cli.waitFor(/listening on (http:\/\/\S+)/);
  return { cli, url };
}

function chatRequest(model: string, extra: Record<string, unknown> = {}) {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'Hello!' }], ...extra }),
  };
}

/** Reads a whole SSE body, recording when the first bytes arrived relative to `onFirstBytes`. */
async function readBody(response: Response, onFirstBytes?: () => void): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
    if (done) return text;
    if (text === '') onFirstBytes?.();
    text += decoder.decode(value, { stream: true });
  }
}

afterEach(async () => {
  for (const cli of running.splice(0)) {
    if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
    await cli.exited;
  }
});

describe('circuit-breaker serve with no provider keys', { timeout: processTimeoutMs }, () => {
  it('runs on the simulator, streams SSE, and drains a stream in flight on SIGTERM before exiting 0', async () => {
    const { cli, url } = await startServe(['--port', '0']);
    await cli.waitFor(/curl -N/);
    expect(cli.stderr()).toContain('built-in provider SIMULATOR');
    expect(cli.stderr()).toContain('sim-gpt, sim-claude, sim-gemini, auto');
    expect(cli.stderr()).toContain('export OPENAI_API_KEY');
    expect(cli.stderr()).toContain(`curl -N ${url}/v1/chat/completions`);

    const response = await fetch(`${url}/v1/chat/completions`, chatRequest('sim-gpt'));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const body = await readBody(response);
    const events = body.split('\n\n').filter((event) => event.includes('data: '));
    expect(events.length).toBeGreaterThan(3);
    expect(events.at(-1)).toContain('data: [DONE]');
    expect(body).toContain('"provider":"sim-openai"');

    const models = ['sim-claude', 'sim-gemini', 'auto', 'gpt-4o-mini', 'claude-sonnet-4-5', 'gemini-2.5-flash'];
    await Promise.all(
      models.map(async (model) => {
        const answer = await fetch(`${url}/v1/chat/completions`, chatRequest(model));
        expect(answer.status, model).toBe(200);
        expect(await readBody(answer), model).toContain('data: [DONE]');
      }),
    );

    // ~3 s of stream (60 tokens at 20/s): SIGTERM lands in the middle of it, and the grace period (10 s) covers it.
    const slow = await fetch(`${url}/v1/chat/completions`, chatRequest('sim-openai/sim-gpt+tps=20'));
    let signalled = false;
    const slowBody = readBody(slow, () => {
      signalled = cli.child.kill('SIGTERM');
    });
    expect(await slowBody).toContain('data: [DONE]');
    expect(signalled).toBe(true);
    expect(await cli.exited).toBe(0);
    expect(cli.stderr()).toContain('shutdown complete');
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('ends streams still running when the shutdown grace period is over, and still exits 0', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'cb-serve-'));
    const configPath = join(directory, 'circuit-breaker.yaml');
    await writeFile(configPath, 'server:\n  shutdown_grace_ms: 300\n');
    const { cli, url } = await startServe(['--config', configPath, '--port', '0']);
    const slow = await fetch(`${url}/v1/chat/completions`, chatRequest('sim-openai/sim-gpt+tps=2'));
    const startedAt = performance.now();
    const body = await readBody(slow, () => cli.child.kill('SIGTERM'));
    expect(performance.now() - startedAt).toBeLessThan(15_000); // the whole stream would take 30 s
    expect(body).not.toContain('"finish_reason":"stop"');
    expect(await cli.exited).toBe(0);
  });
});

describe('circuit-breaker serve: who may connect', { timeout: processTimeoutMs }, () => {
  it('refuses a non-loopback host without gateway keys', async () => {
    const cli = runCli(['serve', '--host', '0.0.0.0', '--port', '0']);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toMatch(/Refusing to listen on 0\.0\.0\.0 without authentication/);
    expect(cli.stderr()).toContain('CIRCUIT_BREAKER_API_KEYS');
  });

  it('binds 0.0.0.0 with --allow-unauthenticated', async () => {
    const { cli, url } = await startServe(['--host', '0.0.0.0', '--port', '0', '--allow-unauthenticated']);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('requires a key from CIRCUIT_BREAKER_API_KEYS (and then allows a network bind)', async () => {
    const env = cleanEnvironment({ CIRCUIT_BREAKER_API_KEYS: 'key-one,key-two' });
    const { cli, url } = await startServe(['--host', '0.0.0.0', '--port', '0'], env);
    expect(cli.stderr()).toContain('authorization: Bearer <one of your gateway keys>');
    expect(cli.stderr()).not.toContain('key-two');
    const anonymous = await fetch(`${url}/v1/chat/completions`, chatRequest('sim-gpt'));
    expect(anonymous.status).toBe(401);
    await anonymous.body?.cancel();
    const request = chatRequest('sim-gpt');
    const authorized = await fetch(`${url}/v1/chat/completions`, {
      ...request,
      headers: { ...request.headers, authorization: 'Bearer key-two' },
    });
    expect(authorized.status).toBe(200);
    expect(await readBody(authorized)).toContain('data: [DONE]');
  });
});

describe('circuit-breaker serve --config', { timeout: processTimeoutMs }, () => {
  let simulator: SimulatorHandle | undefined;
  afterEach(async () => {
    await simulator?.close();
    simulator = undefined;
  });

  it('reads YAML with ${VAR} interpolation in the providers and the server section', async () => {
    simulator = await startSimulator({ apiKey: 'upstream-secret' });
    const directory = await mkdtemp(join(tmpdir(), 'cb-serve-'));
    const configPath = join(directory, 'circuit-breaker.yaml');
    await writeFile(
      configPath,
      [
        'providers:',
        '  upstream:',
        '    type: openai',
        '    base_url: ${UPSTREAM_URL}/v1',
        '    api_key: ${UPSTREAM_KEY}',
        'models:',
        '  house-model:',
        '    deployments:',
        '      - { provider: upstream, model: house-v1 }',
        'server:',
        '  port: ${GATEWAY_PORT}',
        '  api_keys: ["${GATEWAY_KEY}"]',
        '  log_level: warn',
      ].join('\n'),
    );
    const env = cleanEnvironment({
      UPSTREAM_URL: simulator.url,
      UPSTREAM_KEY: 'upstream-secret',
      GATEWAY_PORT: '0',
      GATEWAY_KEY: 'house-key',
    });
    const { cli, url } = await startServe(['--config', configPath], env);
    expect(cli.stderr()).not.toContain('SIMULATOR');
    expect(cli.stderr()).toContain('upstream');
    expect(cli.stderr()).not.toContain('"msg":"gateway listening"'); // log_level: warn

    const request = chatRequest('house-model');
    expect((await fetch(`${url}/v1/chat/completions`, request)).status).toBe(401);
    const response = await fetch(`${url}/v1/chat/completions`, {
      ...request,
      headers: { ...request.headers, authorization: 'Bearer house-key' },
    });
    expect(response.status).toBe(200);
    const body = await readBody(response);
    expect(body).toContain('"deployment":"upstream/house-v1"');
    expect(body).toContain('data: [DONE]');
    expect(simulator.stats.byModel['house-v1']).toBe(1);
  });

  it('names the file and the field when the config is wrong', async () => {
    const cli = runCli(['serve', '--config', '/nonexistent/circuit-breaker.yaml']);
    expect(await cli.exited).toBe(1);
    expect(cli.stderr()).toContain('/nonexistent/circuit-breaker.yaml');
  });
});

describe('circuit-breaker', { timeout: processTimeoutMs }, () => {
  it('prints its version, its commands, and rejects unknown ones', async () => {
    const version = runCli(['--version']);
    const help = runCli(['--help']);
    const unknown = runCli(['serv']);
    const badFlag = runCli(['serve', '--prot', '80']);
    expect(await version.exited).toBe(0);
    expect(version.stdout().trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(await help.exited).toBe(0);
    expect(help.stdout()).toMatch(/serve[\s\S]*chat[\s\S]*simulate/);
    expect(help.stdout()).not.toContain('coming soon');
    expect(await unknown.exited).toBe(2);
    expect(unknown.stderr()).toContain('Unknown command "serv"');
    expect(await badFlag.exited).toBe(2);
    expect(badFlag.stderr()).toContain('circuit-breaker serve --help');
  });
});
