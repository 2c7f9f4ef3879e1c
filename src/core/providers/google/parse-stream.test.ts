import { describe, expect, it } from 'vitest';
import {
  type CollectedStream,
  collectStream,
  createFixtureReader,
  createProviderHarness,
  replayInEveryPattern,
} from '../../../../test/support/provider-harness.js';
import type { CircuitBreakerError } from '../../errors/circuit-breaker-error.js';
import { StreamTruncatedError, UpstreamStreamError } from '../../errors/upstream-errors.js';
import type { ChatCompletionRequest } from '../../types/chat-request.js';
import type { StreamPart } from '../../types/stream-part.js';
import { googleAdapter } from './google-adapter.js';

const request: ChatCompletionRequest = { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] };

const fixture = createFixtureReader(import.meta.url);
const harness = createProviderHarness(googleAdapter, { apiKey: 'AIzaTestKey1234567890' });

/**
 * Generated tool-call ids differ per run: checks their shape, that each call keeps one id from start to end
 * and that different calls never share one, then replaces them with `call_<ordinal>` for comparison.
 */
function normalizeIds(parts: StreamPart[]): StreamPart[] {
  const ids = new Map<string, string>();
  return parts.map((part) => {
    if (part.type !== 'tool-call-start') return part;
    expect(part.id).toMatch(/^call_[0-9a-f]{32}$/);
    expect(ids.has(part.id)).toBe(false);
    ids.set(part.id, `call_${ids.size}`);
    return { ...part, id: ids.get(part.id)! };
  });
}

/** Replays a fixture in every write pattern through the real provider path; all must give the same result. */
async function replayAll(name: string): Promise<CollectedStream> {
  return replayInEveryPattern(
    async (writes) => {
      const { provider } = await harness.serve({ body: fixture(name), writes });
      return collectStream(provider, { model: 'gemini-2.5-flash', request });
    },
    { describeError: (error) => (error as object | undefined)?.constructor, normalizeParts: normalizeIds },
  );
}

const metadata = (id: string, model: string): StreamPart => ({ type: 'response-metadata', id, model });

describe('createGoogleStreamParser over recorded streams', () => {
  it('streams text and keeps the LAST running-total usage, never a sum', async () => {
    const { parts, error } = await replayAll('text-running-usage.sse');
    expect(error).toBeUndefined();
    expect(parts).toEqual([
      metadata('bH6LaZW8Fp_3nsEPqtaSwQ4', 'gemini-3-pro-preview'),
      { type: 'text-delta', text: 'There are **3**' },
      { type: 'usage', usage: { prompt_tokens: 9, completion_tokens: 190, total_tokens: 199 } },
      { type: 'text-delta', text: ' "r"s in strawberry.\n\nst**r**awbe**rr**y' },
      { type: 'usage', usage: { prompt_tokens: 9, completion_tokens: 208, total_tokens: 217 } },
      { type: 'finish', reason: 'stop' },
    ]);
    const usages = parts.filter((part) => part.type === 'usage');
    // 23 candidates + 185 thoughts: the final figures, not 5+23+23 (+ 3 × 185).
    expect(usages.at(-1)).toEqual({
      type: 'usage',
      usage: { prompt_tokens: 9, completion_tokens: 208, total_tokens: 217 },
    });
  });

  it('emits no empty text delta for a signature-only part', async () => {
    const { parts } = await replayAll('empty-text-thought-signature.sse');
    const texts = parts.filter((part) => part.type === 'text-delta');
    expect(texts).toEqual([{ type: 'text-delta', text: '4' }]);
    expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('turns a functionCall into start/delta/end with a generated id and the thoughtSignature', async () => {
    const { parts } = await replayAll('tool-call.sse');
    const start = parts.find((part) => part.type === 'tool-call-start');
    expect(start).toMatchObject({ type: 'tool-call-start', index: 0, id: 'call_0', name: 'get_weather' });
    expect(start?.type === 'tool-call-start' && start.thoughtSignature).toMatch(/^EqsGCqgGARFNMg/);
    expect(parts.filter((part) => part.type !== 'usage' && part.type !== 'tool-call-start')).toEqual([
      metadata('7uVgavK_CL7yxN8P-aGnkAY', 'gemini-3.1-pro-preview'),
      { type: 'text-delta', text: 'Let me check.' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":"San Francisco"}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'finish', reason: 'tool_calls' },
    ]);
  });

  it('keeps two parallel calls apart by index, with distinct ids; only the first is signed', async () => {
    const { parts } = await replayAll('parallel-tool-calls.sse');
    const calls = parts.filter((part) => part.type.startsWith('tool-call'));
    expect(calls).toEqual([
      {
        type: 'tool-call-start',
        index: 0,
        id: 'call_0',
        name: 'get_weather',
        thoughtSignature: 'AY89a19YsnFp7FOSIejJDV9XuMU996D+ZaDJiD6L9EEi+Lh+VGTEGqM3Lip3DPI7QzY=',
      },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":"Paris"}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-start', index: 1, id: 'call_1', name: 'get_weather' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"city":"Tokyo"}' },
      { type: 'tool-call-end', index: 1 },
    ]);
    expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'tool_calls' });
  });

  it('maps thought parts to reasoning deltas, then text with its signature', async () => {
    const { parts } = await replayAll('thinking.sse');
    expect(parts.filter((part) => part.type !== 'usage')).toEqual([
      metadata('pX3LaYqTBu6-xN8Pk9ntqQs', 'gemini-2.5-flash'),
      { type: 'reasoning-delta', text: `**Counting the letters**\n\nI'm scanning "strawberry" for the letter r` },
      { type: 'reasoning-delta', text: ' and find it at positions 3, 8 and 9.\n' },
      {
        type: 'text-delta',
        text: `There are **3** r's in "strawberry".`,
        thoughtSignature: 'CiIBVKhc7nMEn2yqMBh2xeRuRnoXbCDAIxDGSvXgMc2rDuiw',
      },
      { type: 'finish', reason: 'stop' },
    ]);
    expect(parts.filter((part) => part.type === 'usage').at(-1)).toEqual({
      type: 'usage',
      usage: { prompt_tokens: 9, completion_tokens: 183, total_tokens: 192 },
    });
  });

  it.each([
    ['max-tokens.sse', 'length'],
    ['safety.sse', 'content_filter'],
    ['prompt-blocked.sse', 'content_filter'],
  ] as const)('%s finishes with %s', async (name, reason) => {
    const { parts, error } = await replayAll(name);
    expect(error).toBeUndefined();
    expect(parts.at(-1)).toEqual({ type: 'finish', reason });
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
  });

  it('reports the prompt tokens of a blocked prompt', async () => {
    const { parts } = await replayAll('prompt-blocked.sse');
    expect(parts).toEqual([
      metadata('EXCPatOAKMrQjMcPteHVmQo', 'gemini-3.7-flash'),
      { type: 'usage', usage: { prompt_tokens: 9, completion_tokens: 0, total_tokens: 9 } },
      { type: 'finish', reason: 'content_filter' },
    ]);
  });

  it('throws UpstreamStreamError for an error object inside the stream, after the text before it', async () => {
    const { parts, error } = await replayAll('in-stream-error.sse');
    expect(parts.filter((part) => part.type === 'text-delta')).toEqual([{ type: 'text-delta', text: 'Once upon' }]);
    expect(error).toBeInstanceOf(UpstreamStreamError);
    const streamError = error as UpstreamStreamError;
    expect(streamError.providerErrorType).toBe('UNAVAILABLE');
    expect(streamError.retryable).toBe(true);
    expect(streamError.message).toContain('overloaded');
  });

  it('throws StreamTruncatedError when the stream ends before a finishReason', async () => {
    const { parts, error } = await replayAll('truncated.sse');
    expect(parts.filter((part) => part.type === 'text-delta')).toHaveLength(2);
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
    expect(error).toBeInstanceOf(StreamTruncatedError);
    expect((error as CircuitBreakerError).code).toBe('STREAM_TRUNCATED');
  });

  it('skips and reports a malformed event and goes on', async () => {
    const { parts, error, malformed } = await replayAll('malformed-event.sse');
    expect(error).toBeUndefined();
    expect(malformed).toHaveLength(1);
    expect(malformed[0].provider).toBe('google');
    expect(malformed[0].event.data).toContain('"lost');
    expect(
      parts.filter((part) => part.type === 'text-delta').map((part) => part.type === 'text-delta' && part.text),
    ).toEqual(['There are **3**', ' "r"s in strawberry.\n\nst**r**awbe**rr**y']);
    expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });
});

describe('createGoogleStreamParser (edge cases, events fed directly)', () => {
  function feed(events: unknown[]) {
    const parts: StreamPart[] = [];
    const parser = googleAdapter.createStreamParser({
      provider: 'google',
      emit: (part) => parts.push(part),
      onMalformedEvent: () => {},
    });
    for (const event of events) parser.onEvent({ data: JSON.stringify(event) });
    return { parts, parser };
  }
  const candidate = (parts: unknown[], finishReason?: string) => ({
    candidates: [{ content: { role: 'model', parts }, ...(finishReason ? { finishReason } : {}) }],
  });

  it('moves a signature from an empty or thought part onto the next answer text, once', () => {
    const { parts } = feed([
      candidate([{ text: 'plan', thought: true, thoughtSignature: 'sig-1' }]),
      candidate([{ text: 'Answer' }, { text: ' more' }]),
      candidate([{ text: '', thoughtSignature: 'sig-2' }]),
      candidate([{ text: 'tail' }], 'STOP'),
    ]);
    expect(parts.filter((part) => part.type === 'text-delta')).toEqual([
      { type: 'text-delta', text: 'Answer', thoughtSignature: 'sig-1' },
      { type: 'text-delta', text: ' more' },
      { type: 'text-delta', text: 'tail', thoughtSignature: 'sig-2' },
    ]);
  });

  it('emits one finish, takes usage that arrives after it, and skips unchanged usage', () => {
    const usage = { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 };
    const { parts, parser } = feed([
      { ...candidate([{ text: 'a' }]), usageMetadata: usage },
      { ...candidate([{ text: 'b' }], 'STOP'), usageMetadata: usage },
      { ...candidate([], 'STOP'), usageMetadata: { ...usage, candidatesTokenCount: 2, totalTokenCount: 5 } },
    ]);
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
    expect(parts.filter((part) => part.type === 'usage')).toEqual([
      { type: 'usage', usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } },
      { type: 'usage', usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
    ]);
    expect(() => parser.onEnd()).not.toThrow();
  });

  it('marks an in-stream 400 as not retryable', () => {
    expect(() =>
      feed([{ error: { code: 400, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' } }]),
    ).toThrow(expect.objectContaining({ retryable: false, providerErrorType: 'INVALID_ARGUMENT' }));
  });
});
