import { describe, expect, it } from 'vitest';
import {
  type CollectedStream,
  collectStream,
  createFixtureReader,
  createProviderHarness,
  replayInEveryPattern,
} from '../../../../test/support/provider-harness.js';
import { CircuitBreakerError } from '../../errors/circuit-breaker-error.js';
import { StreamTruncatedError, UpstreamStreamError } from '../../errors/upstream-errors.js';
import type { SseEvent } from '../../sse/sse-event.js';
import type { StreamPart } from '../../types/stream-part.js';
import { anthropicAdapter } from './anthropic-adapter.js';
import { createAnthropicStreamParser } from './parse-stream.js';

const readFixture = createFixtureReader(import.meta.url);
const harness = createProviderHarness(anthropicAdapter, { apiKey: 'sk-ant-test-123456' });

/** Replays a fixture in every write pattern through the real provider path; all must give the same result. */
async function replayAll(fixture: string): Promise<CollectedStream> {
  return replayInEveryPattern(
    async (writes) => {
      const { provider } = await harness.serve({ body: readFixture(fixture), writes });
      return collectStream(provider, {
        model: 'claude-sonnet-4-5',
        request: { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] },
      });
    },
    { describeError },
  );
}

const describeError = (error: unknown) =>
  error instanceof CircuitBreakerError ? { name: error.name, code: error.code, message: error.message } : error;

const textOf = (parts: StreamPart[]) => parts.map((part) => (part.type === 'text-delta' ? part.text : '')).join('');

const partsOfType = <T extends StreamPart['type']>(parts: StreamPart[], type: T) =>
  parts.filter((part): part is Extract<StreamPart, { type: T }> => part.type === type);

describe('createAnthropicStreamParser over real sockets', () => {
  it('streams text with metadata, finish and usage', async () => {
    const { parts, error } = await replayAll('text.sse');
    expect(error).toBeUndefined();
    expect(parts[0]).toEqual({
      type: 'response-metadata',
      id: 'msg_01QC4g3HwBThD4BaNtBckFDJ',
      model: 'claude-sonnet-4-5-20250929',
    });
    expect(textOf(parts)).toBe(
      "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?",
    );
    expect(parts.slice(-2)).toEqual([
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 } },
    ]);
  });

  it('streams a tool call, skipping the empty first input_json_delta', async () => {
    const { parts, error } = await replayAll('tool-use.sse');
    expect(error).toBeUndefined();
    expect(parts.filter((part) => part.type.startsWith('tool-call'))).toEqual([
      { type: 'tool-call-start', index: 0, id: 'toolu_01KFbKqPYSuAKujiL6mTfzYA', name: 'json' },
      {
        type: 'tool-call-delta',
        index: 0,
        argumentsDelta: '{"elements": [{"location": "San Francisco", "temperature": 58, "condition": "sunny"}]',
      },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '}' },
      { type: 'tool-call-end', index: 0 },
    ]);
    expect(partsOfType(parts, 'finish')).toEqual([{ type: 'finish', reason: 'tool_calls' }]);
    expect(partsOfType(parts, 'usage').at(-1)?.usage).toEqual({
      prompt_tokens: 849,
      completion_tokens: 47,
      total_tokens: 896,
    });
  });

  it('numbers parallel tool calls by their order among tool_use blocks, not by content block index', async () => {
    const { parts, error } = await replayAll('parallel-tool-use.sse');
    expect(error).toBeUndefined();
    expect(textOf(parts)).toBe("I'll check both cities.");
    expect(partsOfType(parts, 'tool-call-start')).toEqual([
      { type: 'tool-call-start', index: 0, id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather' },
      { type: 'tool-call-start', index: 1, id: 'toolu_01B19r01rx01mr028946mr0', name: 'get_weather' },
    ]);
    const argumentsOf = (index: number) =>
      partsOfType(parts, 'tool-call-delta')
        .filter((part) => part.index === index)
        .map((part) => part.argumentsDelta)
        .join('');
    expect(JSON.parse(argumentsOf(0))).toEqual({ location: 'Paris' });
    expect(JSON.parse(argumentsOf(1))).toEqual({ location: 'Tōkyō' });
    expect(partsOfType(parts, 'tool-call-end')).toEqual([
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
    ]);
    // Only output_tokens in message_delta: the prompt count from message_start stays.
    expect(partsOfType(parts, 'usage').at(-1)?.usage).toEqual({
      prompt_tokens: 512,
      completion_tokens: 96,
      total_tokens: 608,
    });
  });

  it('streams thinking, its signature, then text', async () => {
    const { parts, error } = await replayAll('thinking-text.sse');
    expect(error).toBeUndefined();
    const types = parts.map((part) => part.type);
    expect(types).toEqual([
      'response-metadata',
      'reasoning-delta',
      'reasoning-delta',
      'reasoning-signature',
      'text-delta',
      'finish',
    ]);
    expect(
      partsOfType(parts, 'reasoning-delta')
        .map((part) => part.text)
        .join(''),
    ).toContain('GCD(1071, 462) = 21');
    expect(partsOfType(parts, 'reasoning-signature')).toEqual([
      { type: 'reasoning-signature', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...' },
    ]);
    expect(textOf(parts)).toBe('The greatest common divisor (GCD) of 1071 and 462 is **21**.');
  });

  it('streams recorded thinking followed by a tool call (tool ordinal 0 at content index 1)', async () => {
    const { parts, error } = await replayAll('thinking-tool-use.sse');
    expect(error).toBeUndefined();
    expect(partsOfType(parts, 'reasoning-signature')).toHaveLength(1);
    expect(
      partsOfType(parts, 'reasoning-delta')
        .map((part) => part.text)
        .join(''),
    ).toBe(
      'The user is asking for weather information for Florence, Italy. I have access to a weather function that ' +
        'takes a "location" parameter. The user has provided the location as "Florence, Italy" which is clear and ' +
        'specific. I have all the required parameters to make this function call.',
    );
    expect(partsOfType(parts, 'tool-call-start')).toEqual([
      { type: 'tool-call-start', index: 0, id: 'toolu_0171KFcBwn1Z64XzvQfz3sZS', name: 'weather' },
    ]);
    const argumentsText = partsOfType(parts, 'tool-call-delta')
      .map((part) => part.argumentsDelta)
      .join('');
    expect(JSON.parse(argumentsText)).toEqual({ location: 'Florence, Italy' });
    expect(parts.slice(-2)).toEqual([
      { type: 'finish', reason: 'tool_calls' },
      { type: 'usage', usage: { prompt_tokens: 423, completion_tokens: 119, total_tokens: 542 } },
    ]);
  });

  it('maps max_tokens to length', async () => {
    const { parts, error } = await replayAll('max-tokens.sse');
    expect(error).toBeUndefined();
    expect(textOf(parts)).toBe('Once upon a time, in a land far');
    expect(partsOfType(parts, 'finish')).toEqual([{ type: 'finish', reason: 'length' }]);
  });

  it('maps a refusal to content_filter', async () => {
    const { parts, error } = await replayAll('refusal.sse');
    expect(error).toBeUndefined();
    expect(textOf(parts)).toBe('');
    expect(parts.slice(1)).toEqual([
      { type: 'finish', reason: 'content_filter' },
      { type: 'usage', usage: { prompt_tokens: 18, completion_tokens: 5, total_tokens: 23 } },
    ]);
  });

  it('delivers the text before an in-stream overloaded error, then throws it typed and retryable', async () => {
    const { parts, error } = await replayAll('error-overloaded.sse');
    expect(textOf(parts)).toBe('Once upon a time, in a land far');
    expect(partsOfType(parts, 'finish')).toEqual([]);
    expect(error).toBeInstanceOf(UpstreamStreamError);
    const streamError = error as UpstreamStreamError;
    expect(streamError.code).toBe('UPSTREAM_STREAM_ERROR');
    expect(streamError.providerErrorType).toBe('overloaded_error');
    expect(streamError.retryable).toBe(true);
    expect(streamError.message).toContain('Overloaded');
  });

  it('throws StreamTruncatedError after the delivered text when message_stop never comes', async () => {
    const { parts, error } = await replayAll('truncated.sse');
    expect(textOf(parts)).toBe("Hello! I'm doing well, thank you for asking");
    expect(partsOfType(parts, 'finish')).toEqual([]);
    expect(error).toBeInstanceOf(StreamTruncatedError);
    expect((error as StreamTruncatedError).retryable).toBe(true);
  });

  it('skips ping events', async () => {
    const { parts, error } = await replayAll('pings.sse');
    expect(error).toBeUndefined();
    expect(parts).toEqual([
      { type: 'response-metadata', id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY', model: 'claude-opus-4-6' },
      { type: 'text-delta', text: 'Hello' },
      { type: 'text-delta', text: '!' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 } },
    ]);
  });

  it('skips a malformed event, reports it, and goes on', async () => {
    const { parts, error, malformed } = await replayAll('malformed-event.sse');
    expect(error).toBeUndefined();
    expect(malformed).toHaveLength(1);
    expect(malformed[0].provider).toBe('anthropic');
    expect(malformed[0].event.data).toContain('"text":"bro');
    expect(textOf(parts)).toBe(
      "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?",
    );
    expect(partsOfType(parts, 'finish')).toEqual([{ type: 'finish', reason: 'stop' }]);
  });

  it('skips unknown event, block and delta types (server tool blocks get no tool-call parts)', async () => {
    const { parts, error, malformed } = await replayAll('unknown-event.sse');
    expect(error).toBeUndefined();
    expect(malformed).toHaveLength(0);
    expect(parts.map((part) => part.type)).toEqual([
      'response-metadata',
      'text-delta',
      'text-delta',
      'finish',
      'usage',
    ]);
  });
});

describe('createAnthropicStreamParser (event by event)', () => {
  const run = (events: object[]) => {
    const parts: StreamPart[] = [];
    const parser = createAnthropicStreamParser({
      provider: 'anthropic',
      emit: (part) => parts.push(part),
      onMalformedEvent: () => {},
    });
    for (const data of events) {
      const event: SseEvent = { event: (data as { type: string }).type, data: JSON.stringify(data) };
      parser.onEvent(event);
    }
    return { parts, parser };
  };

  it('counts cache writes and reads as prompt tokens; message_delta input_tokens supersede', () => {
    const usage = { input_tokens: 10, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000 };
    const { parts } = run([
      { type: 'message_start', message: { id: 'm', model: 'c', usage: { ...usage, output_tokens: 1 } } },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 7 } },
      {
        type: 'message_delta',
        delta: {},
        usage: { input_tokens: 20, cache_read_input_tokens: 1000, output_tokens: 9 },
      },
      { type: 'message_stop' },
    ]);
    const usages = partsOfType(parts, 'usage').map((part) => part.usage);
    expect(usages).toEqual([
      { prompt_tokens: 1110, completion_tokens: 7, total_tokens: 1117 },
      { prompt_tokens: 1020, completion_tokens: 9, total_tokens: 1029 },
    ]);
    expect(partsOfType(parts, 'finish')).toHaveLength(1);
  });

  it('maps pause_turn to stop and ends cleanly on message_stop', () => {
    const { parts, parser } = run([
      { type: 'message_start', message: {} },
      { type: 'message_delta', delta: { stop_reason: 'pause_turn' } },
      { type: 'message_stop' },
    ]);
    expect(partsOfType(parts, 'finish')).toEqual([{ type: 'finish', reason: 'stop' }]);
    expect(() => parser.onEnd()).not.toThrow();
  });

  it('treats invalid_request_error in the stream as not retryable', () => {
    expect(() => run([{ type: 'error', error: { type: 'invalid_request_error', message: 'bad' } }])).toThrowError(
      expect.objectContaining({ retryable: false, providerErrorType: 'invalid_request_error' }),
    );
    expect(() => run([{ type: 'error', error: { type: 'api_error', message: 'Internal' } }])).toThrowError(
      expect.objectContaining({ retryable: true, providerErrorType: 'api_error' }),
    );
  });
});
