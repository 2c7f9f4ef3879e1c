import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRouterFromFile } from './index.js';

describe('createRouterFromFile', () => {
  it('builds a router from a YAML file with ${ENV} interpolation', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'cb-config-')), 'router.yaml');
    writeFileSync(
      path,
      [
        'providers:',
        '  primary: { type: anthropic, api_key: "${TEST_ANTHROPIC_KEY}" }',
        'models:',
        '  chat:',
        '    deployments:',
        '      - { provider: primary, model: claude-sonnet-4-5 }',
      ].join('\n'),
    );
    const router = await createRouterFromFile(path, { env: { TEST_ANTHROPIC_KEY: 'sk-ant-from-env' } });
    expect(router.config.providers.primary.api_key).toBe('sk-ant-from-env');
    expect(router.resolve('chat').deployments.map((deployment) => deployment.key)).toEqual([
      'primary/claude-sonnet-4-5',
    ]);
  });
});
