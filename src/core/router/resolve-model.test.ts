import { describe, expect, it } from 'vitest';
import { ModelNotFoundError, ProviderNotConfiguredError } from '../errors/request-errors.js';
import { configFromEnvironment } from './config-from-environment.js';
import { routerConfigSchema } from './config-schema.js';
import { resolveModel } from './resolve-model.js';

const fromEnv = (env: Record<string, string>) => routerConfigSchema.parse(configFromEnvironment(env));

describe('resolveModel', () => {
  const config = fromEnv({ OPENAI_API_KEY: 'sk-1', ANTHROPIC_API_KEY: 'sk-ant-1', GEMINI_API_KEY: 'AIza-1' });

  it('routes recognizable names to their protocol', () => {
    for (const [model, provider] of [
      ['gpt-4o-mini', 'openai'],
      ['o3-mini', 'openai'],
      ['o1', 'openai'],
      ['o4-mini', 'openai'],
      ['chatgpt-4o-latest', 'openai'],
      ['claude-sonnet-4-5', 'anthropic'],
      ['gemini-2.5-flash', 'google'],
    ]) {
      const route = resolveModel(model, config);
      expect(route.deployments).toEqual([expect.objectContaining({ providerName: provider, model })]);
    }
  });

  it('honours an explicit provider prefix, by type or configured name', () => {
    expect(resolveModel('anthropic/claude-haiku-4-5', config).deployments[0]).toMatchObject({
      providerName: 'anthropic',
      model: 'claude-haiku-4-5',
      key: 'anthropic/claude-haiku-4-5',
    });
    const named = routerConfigSchema.parse({
      providers: { local: { type: 'openai-compatible', base_url: 'http://127.0.0.1:11434/v1' } },
    });
    expect(resolveModel('local/llama3.1', named).deployments[0]).toMatchObject({
      providerName: 'local',
      model: 'llama3.1',
    });
  });

  it('uses configured models with their deployments in order', () => {
    const configured = routerConfigSchema.parse({
      providers: { primary: { type: 'anthropic', api_key: 'k' }, secondary: { type: 'openai', api_key: 'k' } },
      models: {
        chat: {
          deployments: [
            { provider: 'primary', model: 'claude-sonnet-4-5' },
            { provider: 'secondary', model: 'gpt-4o-mini', weight: 2 },
          ],
        },
      },
    });
    expect(resolveModel('chat', configured).deployments.map((deployment) => deployment.key)).toEqual([
      'primary/claude-sonnet-4-5',
      'secondary/gpt-4o-mini',
    ]);
  });

  it('says how to fix an unknown model or a missing key', () => {
    expect(() => resolveModel('mystery-model', config)).toThrow(ModelNotFoundError);
    const openaiOnly = fromEnv({ OPENAI_API_KEY: 'sk-1' });
    expect(() => resolveModel('claude-sonnet-4-5', openaiOnly)).toThrow(ProviderNotConfiguredError);
    expect(() => resolveModel('claude-sonnet-4-5', openaiOnly)).toThrow(/ANTHROPIC_API_KEY/);
  });
});
