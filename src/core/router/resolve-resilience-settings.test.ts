import { describe, expect, it } from 'vitest';
import { routerConfigSchema } from './config-schema.js';
import { defaultTimeouts, resolveResilienceSettings } from './resolve-resilience-settings.js';

describe('resolveResilienceSettings', () => {
  it('maps the snake_case config onto the policies, defaults filling the gaps', () => {
    const config = routerConfigSchema.parse({
      providers: { p: { type: 'openai', api_key: 'k' } },
      models: {
        chat: {
          strategy: 'cost',
          deployments: [{ provider: 'p', model: 'm' }],
          fallbacks: ['spare'],
          hedge_after_ms: 'auto',
          midstream_failover: false,
          timeouts: { idle_ms: 1500 },
          min_tokens_per_s: 4,
        },
      },
      circuit_breaker: { failure_threshold: 3, cooldown_ms: 1000 },
      retry: { attempts: 1, max_total_ms: 9000 },
      timeouts: { connect_ms: 2000 },
      prices: { m: { input_per_1m: 1, output_per_1m: 2 } },
    });
    const settings = resolveResilienceSettings(config);
    expect(settings.breaker).toMatchObject({
      failureThreshold: 3,
      cooldownMs: 1000,
      failureRate: 0.5,
      halfOpenProbes: 1,
    });
    expect(settings.retry).toEqual({
      attempts: 1,
      baseDelayMs: 200,
      maxDelayMs: 5000,
      maxAttemptsTotal: 10,
      maxTotalMs: 9000,
    });
    expect(settings.prices).toEqual({ m: { inputPerMillion: 1, outputPerMillion: 2 } });
    const chat = settings.model(config.models.chat);
    expect(chat).toMatchObject({
      strategy: 'cost',
      fallbacks: ['spare'],
      hedgeAfterMs: 'auto',
      midstreamFailover: false,
    });
    expect(chat.timeouts).toEqual({
      connectMs: 2000,
      firstTokenMs: defaultTimeouts.firstTokenMs,
      idleMs: 1500,
      requestMs: defaultTimeouts.requestMs,
      minTokensPerSecond: 4,
      probeWindowMs: undefined,
    });
    expect(settings.model(undefined)).toMatchObject({
      strategy: 'priority',
      midstreamFailover: true,
      hedgeAfterMs: undefined,
    });
  });
});
