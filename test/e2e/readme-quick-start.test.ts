import { type ChildProcess, exec, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The README's quick start, run as written: `npm start` (the install half, `npm ci`, is what CI has just done),
 * then the `curl -N` command copied verbatim from the README. No API keys, no network: the built-in simulator.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(`${root}/README.md`, 'utf8');
const shellBlocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]);
const run = promisify(exec);

function withoutProviderKeys(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [
    'OPENAI_API_KEY',
    'ANTHROPIC_API_KEY',
    'GOOGLE_API_KEY',
    'GEMINI_API_KEY',
    'CIRCUIT_BREAKER_API_KEYS',
  ]) {
    delete env[name];
  }
  return env;
}

describe('README quick start', () => {
  let gateway: ChildProcess | undefined;

  afterAll(() => {
    // npm start runs the gateway in a child of npm: signal the whole process group.
    if (gateway?.pid) process.kill(-gateway.pid, 'SIGTERM');
  });

  it('shows the two commands a newcomer needs', () => {
    expect(shellBlocks[0]).toMatch(/^npm ci && npm start\b/m);
    expect(shellBlocks[0]).toMatch(/^npm test\b/m);
  });

  it('streams tokens with the README curl command against `npm start`', async () => {
    const curl = shellBlocks.find((block) => block.trimStart().startsWith('curl -N'));
    expect(curl).toBeDefined();
    gateway = spawn('npm', ['start'], { cwd: root, env: withoutProviderKeys(), detached: true, stdio: 'pipe' });
    let output = '';
    gateway.stdout?.on('data', (data) => {
      output += data;
    });
    gateway.stderr?.on('data', (data) => {
      output += data;
    });
    const deadline = Date.now() + 60_000;
    while (!/listening on http:\/\/127\.0\.0\.1:3000/.test(output)) {
      if (gateway.exitCode !== null) throw new Error(`npm start exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`npm start did not listen within 60 s:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(output).toMatch(/simulator/i);

    const { stdout } = await run(curl!.replace(/\\\n\s*/g, ' '), { cwd: root, timeout: 30_000 });
    const events = stdout.split('\n\n').filter((event) => event.includes('data: '));
    const chunks = events
      .map((event) => event.slice(event.indexOf('data: ') + 6))
      .filter((data) => data !== '[DONE]')
      .map((data) => JSON.parse(data));
    const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(text.trim().length).toBeGreaterThan(10);
    expect(events.at(-1)).toContain('data: [DONE]');
  }, 120_000);
});
