// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these are config-file ${VAR} references, not template strings
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from './load-config-file.js';

async function writeTemp(name: string, text: string): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'cb-config-'));
  const path = join(directory, name);
  await writeFile(path, text);
  return path;
}

describe('loadConfigFile', () => {
  it('reads YAML and leaves ${VAR} references for the router to interpolate', async () => {
    const path = await writeTemp(
      'config.yaml',
      ['providers:', '  openai:', '    type: openai', '    api_key: ${OPENAI_API_KEY}', 'server:', '  port: 8080'].join(
        '\n',
      ),
    );
    expect(await loadConfigFile(path)).toEqual({
      providers: { openai: { type: 'openai', api_key: '${OPENAI_API_KEY}' } },
      server: { port: 8080 },
    });
  });

  it('reads JSON with the same parser', async () => {
    const path = await writeTemp('config.json', JSON.stringify({ models: {}, server: { host: '127.0.0.1' } }));
    expect(await loadConfigFile(path)).toEqual({ models: {}, server: { host: '127.0.0.1' } });
  });

  it('treats an empty file as an empty config', async () => {
    expect(await loadConfigFile(await writeTemp('empty.yaml', '# nothing yet\n'))).toEqual({});
  });

  it('names the file when it is missing, malformed or not a mapping', async () => {
    await expect(loadConfigFile('/nonexistent/circuit-breaker.yaml')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('does not exist'),
    });
    await expect(loadConfigFile(await writeTemp('bad.yaml', 'providers: [\n'))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('not valid YAML'),
    });
    await expect(loadConfigFile(await writeTemp('list.yaml', '- a\n- b\n'))).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('mapping'),
    });
  });
});
