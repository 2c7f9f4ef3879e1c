import { describe, expect, it } from 'vitest';
import type { ChatCompletionChunk } from '../core/types/chat-chunk.js';
import { createStreamMeter, formatStreamStats } from './measure-stream.js';

function chunk(content: string | undefined, extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk {
  return {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'sim-gpt',
    choices: content === undefined ? [] : [{ index: 0, delta: { content }, finish_reason: null }],
    ...extra,
  };
}

describe('createStreamMeter', () => {
  it('measures time to first token and generation rate, preferring reported usage', () => {
    let clock = 1000;
    const meter = createStreamMeter(() => clock);
    clock = 1000;
    meter.observe(chunk('')); // role-only chunk: not a token
    clock = 1250;
    expect(meter.observe(chunk('Hello')).text).toBe('Hello');
    clock = 1750;
    meter.observe(chunk(' world'));
    meter.observe(
      chunk(undefined, {
        usage: { prompt_tokens: 3, completion_tokens: 11, total_tokens: 14 },
        circuit_breaker: { provider: 'sim-openai', model: 'sim-gpt', deployment: 'sim-openai/sim-gpt', attempts: 1 },
      }),
    );
    const stats = meter.stats();
    expect(stats).toMatchObject({
      timeToFirstTokenMs: 250,
      completionTokens: 11,
      tokensReported: true,
      tokensPerSecond: 22,
      servedBy: 'sim-openai/sim-gpt',
    });
    expect(formatStreamStats(stats)).toBe(
      '250 ms to first token · 11 tokens · 22.0 tokens/s · 750 ms total · served by sim-openai/sim-gpt',
    );
  });

  it('counts chunks when the provider reports no usage', () => {
    const meter = createStreamMeter(() => 0);
    meter.observe(chunk('a'));
    meter.observe(chunk('b'));
    expect(meter.stats()).toMatchObject({ completionTokens: 2, tokensReported: false, tokensPerSecond: undefined });
  });
});
