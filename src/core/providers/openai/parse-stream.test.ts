import { describe, expect, it } from 'vitest';
import {
  collectStream,
  createFixtureReader,
  createProviderHarness,
  replayInEveryPattern,
} from '../../../../test/support/provider-harness.js';
import { CircuitBreakerError } from '../../errors/circuit-breaker-error.js';
import { StreamTruncatedError, UpstreamStreamError } from '../../errors/upstream-errors.js';
import type { StreamPart } from '../../types/stream-part.js';
import type { StreamParserContext } from '../provider.js';
import { openaiAdapter } from './openai-adapter.js';
import { createOpenAIStreamParser } from './parse-stream.js';

const fixture = createFixtureReader(import.meta.url);
const harness = createProviderHarness(openaiAdapter, { apiKey: 'sk-test-123456' });

/** Replays one fixture in every write pattern through the real provider path; all must give the same result. */
async function replayAllPatterns(name: string, transform: (text: string) => string = (text) => text) {
  const body = transform(fixture(name));
  return replayInEveryPattern(
    async (writes) => {
      const { provider } = await harness.serve({ body, writes });
      return collectStream(provider, {
        model: 'gpt-4o',
        request: { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] },
      });
    },
    { describeError },
  );
}

function describeError(error: unknown) {
  return error instanceof CircuitBreakerError ? error.toJSON() : error;
}

function text(parts: StreamPart[]): string {
  return parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');
}

describe('createOpenAIStreamParser over a real socket', () => {
  it('plain text: metadata once, non-empty text deltas, finish; UTF-8 split anywhere', async () => {
    const { parts, error } = await replayAllPatterns('openai-text.sse');
    expect(error).toBeUndefined();
    expect(parts[0]).toEqual({
      type: 'response-metadata',
      id: 'chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0',
      model: 'gpt-4.1-nano-2025-04-14',
    });
    expect(parts.filter((part) => part.type === 'response-metadata')).toHaveLength(1);
    expect(text(parts)).toBe('**Holiday Name:** Harmony Day — café ☕\n\n');
    expect(parts.some((part) => part.type === 'text-delta' && part.text === '')).toBe(false);
    expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });

  it('the same stream with CRLF line endings gives the same parts', async () => {
    const lf = await replayAllPatterns('openai-text.sse');
    const crlf = await replayAllPatterns('openai-text.sse', (body) => body.replaceAll('\n', '\r\n'));
    expect(crlf.parts).toEqual(lf.parts);
  });

  it('usage chunk after the finish (stream_options.include_usage)', async () => {
    const { parts, error } = await replayAllPatterns('openai-usage.sse');
    expect(error).toBeUndefined();
    expect(parts.slice(-2)).toEqual([
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { prompt_tokens: 16, completion_tokens: 2, total_tokens: 18 } },
    ]);
  });

  it('one tool call: start, argument pieces, end before finish', async () => {
    const { parts, error } = await replayAllPatterns('openai-tool-call.sse');
    expect(error).toBeUndefined();
    expect(parts.slice(1)).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_qOfTGgDrItLORNfC6VwUbyLL', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: 'location' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '":"' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: 'Shanghai' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '"}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { prompt_tokens: 91, completion_tokens: 14, total_tokens: 105 } },
    ]);
  });

  it('parallel tool calls stay apart by index; a first argument piece may come with the name', async () => {
    const { parts, error } = await replayAllPatterns('openai-parallel-tool-calls.sse');
    expect(error).toBeUndefined();
    expect(parts.slice(1)).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_Paris0001', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"loc' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: 'ation": "Paris"}' },
      { type: 'tool-call-start', index: 1, id: 'call_Tokyo0002', name: 'get_weather' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"location": ' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '"Tokyo"}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
      { type: 'finish', reason: 'tool_calls' },
    ]);
  });

  it('reasoning_content (DeepSeek) becomes reasoning deltas, then text', async () => {
    const { parts, error } = await replayAllPatterns('deepseek-reasoning-content.sse');
    expect(error).toBeUndefined();
    expect(parts.slice(1)).toEqual([
      { type: 'reasoning-delta', text: '9.11' },
      { type: 'reasoning-delta', text: ' vs 9.8: compare tenths.' },
      { type: 'text-delta', text: '9.8' },
      { type: 'text-delta', text: ' is greater.' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { prompt_tokens: 13, completion_tokens: 40, total_tokens: 53 } },
    ]);
  });

  it('reasoning (Ollama, OpenRouter) becomes reasoning deltas', async () => {
    const { parts, error } = await replayAllPatterns('ollama-reasoning.sse');
    expect(error).toBeUndefined();
    expect(parts.slice(1)).toEqual([
      { type: 'reasoning-delta', text: 'Short' },
      { type: 'reasoning-delta', text: ' answer.' },
      { type: 'text-delta', text: 'Hi!' },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('finish_reason length', async () => {
    const { parts, error } = await replayAllPatterns('openai-finish-length.sse');
    expect(error).toBeUndefined();
    expect(text(parts)).toBe('Once upon');
    expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'length' });
  });

  it('Azure content_filter finish; the prompt_filter_results chunk produces nothing', async () => {
    const { parts, error } = await replayAllPatterns('azure-content-filter.sse');
    expect(error).toBeUndefined();
    expect(parts).toEqual([
      { type: 'response-metadata', id: 'chatcmpl-CYPT4filteredExample0000', model: 'gpt-4o-2024-11-20' },
      { type: 'text-delta', text: 'The duel' },
      { type: 'finish', reason: 'content_filter' },
    ]);
  });

  it('Azure prompt_filter_results chunk (empty id, model and choices) is skipped, never passed through', async () => {
    const { parts, error } = await replayAllPatterns('azure-prompt-filter.sse');
    expect(error).toBeUndefined();
    expect(parts).toEqual([
      { type: 'response-metadata', id: 'chatcmpl-CYPS1lijGoK8gd9lYzY3r9Sx50nbt', model: 'gpt-5-nano-2025-08-07' },
      { type: 'text-delta', text: 'Capital' },
      { type: 'text-delta', text: ' of' },
      { type: 'text-delta', text: ' Denmark' },
      { type: 'text-delta', text: '.' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { prompt_tokens: 15, completion_tokens: 78, total_tokens: 93 } },
    ]);
  });

  it('an in-stream error event: text before it is delivered, then a retryable UpstreamStreamError', async () => {
    const { parts, error } = await replayAllPatterns('openai-error-in-stream.sse');
    expect(text(parts)).toBe('Sure,');
    expect(error).toBeInstanceOf(UpstreamStreamError);
    const streamError = error as UpstreamStreamError;
    expect(streamError.retryable).toBe(true);
    expect(streamError.providerErrorType).toBe('server_error');
    expect(streamError.message).toContain('The server had an error while processing your request');
  });

  it('a stream cut before any finish is truncated', async () => {
    const { parts, error } = await replayAllPatterns('openai-truncated.sse');
    expect(text(parts)).toBe('The answer');
    expect(error).toBeInstanceOf(StreamTruncatedError);
    expect((error as StreamTruncatedError).retryable).toBe(true);
  });

  it('a stream with a finish but no [DONE] is truncated', async () => {
    const { parts, error } = await replayAllPatterns('openai-truncated-after-finish.sse');
    expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
    expect(error).toBeInstanceOf(StreamTruncatedError);
    expect((error as Error).message).toContain('[DONE]');
  });

  it('one malformed event is reported and skipped; the stream goes on', async () => {
    const { parts, error, malformed } = await replayAllPatterns('openai-malformed-event.sse');
    expect(error).toBeUndefined();
    expect(text(parts)).toBe('One two');
    expect(malformed).toHaveLength(1);
    expect(malformed[0].provider).toBe('openai');
    expect(malformed[0].event.data).toContain('" lost"');
    expect(parts.at(-1)).toEqual({ type: 'finish', reason: 'stop' });
  });
});

/** The parser fed events directly, for the cases that need no socket. */
function feed(datas: string[], end = true) {
  const parts: StreamPart[] = [];
  const malformed: string[] = [];
  const context: StreamParserContext = {
    provider: 'openai',
    emit: (part) => parts.push(part),
    onMalformedEvent: (event) => malformed.push(event.data),
  };
  const parser = createOpenAIStreamParser(context);
  let error: unknown;
  try {
    for (const data of datas) parser.onEvent({ data });
    if (end) parser.onEnd();
  } catch (caught) {
    error = caught;
  }
  return { parts, malformed, error };
}

const chunk = (delta: object, finishReason: string | null = null) =>
  JSON.stringify({ id: 'chatcmpl-1', model: 'm', choices: [{ index: 0, delta, finish_reason: finishReason }] });

describe('createOpenAIStreamParser, events fed directly', () => {
  it('[DONE] without any finish_reason is a truncation', () => {
    const { error } = feed([chunk({ content: 'a' }), '[DONE]']);
    expect(error).toBeInstanceOf(StreamTruncatedError);
  });

  it('ignores events after [DONE]', () => {
    const { parts, error } = feed([chunk({}, 'stop'), '[DONE]', chunk({ content: 'late' })]);
    expect(error).toBeUndefined();
    expect(parts.some((part) => part.type === 'text-delta')).toBe(false);
  });

  it('an invalid_request error in the stream is not retryable', () => {
    const { error } = feed([
      JSON.stringify({ error: { message: 'bad', type: 'invalid_request_error', param: null, code: null } }),
    ]);
    expect(error).toBeInstanceOf(UpstreamStreamError);
    expect((error as UpstreamStreamError).retryable).toBe(false);
  });

  it('vLLM-style flat error object and numeric codes', () => {
    const { error } = feed([JSON.stringify({ object: 'error', message: 'overloaded', type: 'Overloaded', code: 503 })]);
    expect(error).toBeInstanceOf(UpstreamStreamError);
    expect((error as UpstreamStreamError).retryable).toBe(true);
  });

  it('redacts a key echoed in an in-stream error message', () => {
    const { error } = feed([
      JSON.stringify({ error: { message: 'key sk-live-abcdefghijkl is bad', type: 'server_error' } }),
    ]);
    expect((error as Error).message).not.toContain('sk-live-abcdefghijkl');
  });

  it('legacy function_call finish maps to tool_calls; refusal deltas pass', () => {
    const { parts } = feed([chunk({ refusal: "I can't" }), chunk({}, 'function_call'), '[DONE]']);
    expect(parts.slice(1)).toEqual([
      { type: 'refusal-delta', text: "I can't" },
      { type: 'finish', reason: 'tool_calls' },
    ]);
  });

  it('a tool call whose name comes after its first arguments still starts first', () => {
    const { parts } = feed([
      chunk({ tool_calls: [{ index: 0, id: 'call_1', function: { arguments: '{"a"' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { name: 'f', arguments: ':1}' } }] }),
      chunk({}, 'tool_calls'),
      '[DONE]',
    ]);
    expect(parts.slice(1)).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_1', name: 'f' },
      // Held-back pieces leave together with the start.
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":1}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'finish', reason: 'tool_calls' },
    ]);
  });

  it('a server reusing index 0 for a second call (new id) gets two calls', () => {
    const { parts } = feed([
      chunk({ tool_calls: [{ index: 0, id: 'call_a', function: { name: 'f', arguments: '{}' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'call_b', function: { name: 'g', arguments: '{}' } }] }),
      chunk({}, 'tool_calls'),
      '[DONE]',
    ]);
    expect(parts.filter((part) => part.type.startsWith('tool-call'))).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'f' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'g' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      { type: 'tool-call-end', index: 1 },
    ]);
  });

  it('JSON that is not an object is reported as malformed', () => {
    const { malformed, error } = feed(['42', chunk({}, 'stop'), '[DONE]']);
    expect(error).toBeUndefined();
    expect(malformed).toEqual(['42']);
  });

  it.each(['insufficient_system_resource', 'error'])('a %s finish is a retryable stream error', (reason) => {
    const { error } = feed([chunk({ content: 'a' }, reason)]);
    expect(error).toBeInstanceOf(UpstreamStreamError);
    expect((error as UpstreamStreamError).retryable).toBe(true);
  });

  it('an OpenRouter chunk carrying an error next to its choices fails the stream', () => {
    const { error } = feed([
      JSON.stringify({
        id: 'gen-1',
        object: 'chat.completion.chunk',
        error: { code: 'server_error', message: 'Provider disconnected' },
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
      }),
    ]);
    expect(error).toBeInstanceOf(UpstreamStreamError);
    expect((error as Error).message).toContain('Provider disconnected');
  });
});
