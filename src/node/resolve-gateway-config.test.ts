import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveGatewayConfig } from './resolve-gateway-config.js';

async function writeConfig(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'cb-resolve-')), 'circuit-breaker.yaml');
  await writeFile(path, text);
  return path;
}

describe('resolveGatewayConfig', () => {
  it("takes the file's providers first, even with keys in the environment", async () => {
    const configPath = await writeConfig('providers:\n  mine: { type: anthropic, api_key: x }\n');
    const resolved = await resolveGatewayConfig({ configPath, env: { OPENAI_API_KEY: 'sk-env' } });
    expect(resolved.source).toBe('file');
    expect(Object.keys(resolved.config.providers ?? {})).toEqual(['mine']);
  });

  it("uses the environment keys with the file's other sections (CIRCUIT_BREAKER_CONFIG names the file)", async () => {
    const configPath = await writeConfig('server:\n  port: 4000\nretry:\n  attempts: 1\n');
    const resolved = await resolveGatewayConfig({
      env: { CIRCUIT_BREAKER_CONFIG: configPath, OPENAI_API_KEY: 'sk-env' },
    });
    expect(resolved.source).toBe('environment');
    expect(resolved.config).toMatchObject({
      providers: { openai: { type: 'openai', api_key: 'sk-env' } },
      server: { port: 4000 },
      retry: { attempts: 1 },
    });
    expect(resolved.simulator).toBeUndefined();
  });

  it('falls back to the in-process simulator with no providers anywhere', async () => {
    const resolved = await resolveGatewayConfig({ env: {} });
    try {
      expect(resolved.source).toBe('simulator');
      expect(resolved.config.providers?.['sim-openai']).toEqual({
        type: 'openai',
        base_url: `${resolved.simulator!.url}/v1`,
        api_key: 'sim',
      });
      expect(Object.keys(resolved.config.models ?? {})).toEqual(['sim-gpt', 'sim-claude', 'sim-gemini', 'auto']);
    } finally {
      await resolved.simulator?.close();
    }
  });

  it('does not start a simulator when told not to', async () => {
    const resolved = await resolveGatewayConfig({ env: {}, simulator: false });
    expect(resolved.simulator).toBeUndefined();
    expect(resolved.config.providers).toEqual({});
  });
});
