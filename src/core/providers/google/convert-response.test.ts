import { describe, expect, it } from 'vitest';
import { createFixtureReader, createProviderHarness } from '../../../../test/support/provider-harness.js';
import { UpstreamMalformedError } from '../../errors/upstream-errors.js';
import { convertGoogleResponse } from './convert-response.js';
import { googleAdapter } from './google-adapter.js';

const fixture = createFixtureReader(import.meta.url);
const harness = createProviderHarness(googleAdapter, { apiKey: 'AIzaTestKey1234567890' });

async function complete(fixtureName: string) {
  const { server, provider } = await harness.serve({
    body: fixture(fixtureName),
    headers: { 'content-type': 'application/json' },
    writes: { random: 3 },
  });
  const request = { model: 'gemini-2.5-flash', messages: [{ role: 'user' as const, content: 'Hi' }] };
  const completion = await provider.complete({ model: 'gemini-2.5-flash', request });
  expect(server.requests[0].path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
  return completion;
}

describe('convertGoogleResponse', () => {
  it('converts a recorded text answer through the provider', async () => {
    const completion = await complete('text.json');
    expect(completion.message).toEqual({
      role: 'assistant',
      content: "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.",
      refusal: null,
      thought_signature:
        'EtoFCtcFAb4+9vtfe4MXRxQjw48U1WKrR/7lYsgFkVi/bepqsSPjY0VU7HEzkeCBIfy1fu5t9aUZ4IZ65aWagqbBrV45fc97olcg',
    });
    expect(completion.finishReason).toBe('stop');
    expect(completion.usage).toEqual({ prompt_tokens: 9, completion_tokens: 272, total_tokens: 281 });
    expect(completion.upstreamId).toBe('Un6LacrVMcjUxs0PmJfWoQc');
    expect(completion.upstreamModel).toBe('gemini-3-pro-preview');
  });

  it('converts a recorded functionCall answer into tool_calls with a generated id', async () => {
    const completion = await complete('tool-call.json');
    expect(completion.finishReason).toBe('tool_calls');
    expect(completion.message.content).toBeNull();
    const calls = completion.message.tool_calls ?? [];
    expect(calls).toHaveLength(1);
    expect(calls[0].id).toMatch(/^call_[0-9a-f]{32}$/);
    expect(calls[0]).toMatchObject({
      type: 'function',
      function: { name: 'weather', arguments: '{"location":"San Francisco"}' },
      thought_signature: expect.stringMatching(/^EskgCsYgAb4/),
    });
  });

  it('puts thought text in reasoning_content and joins the answer text', () => {
    const completion = convertGoogleResponse(
      {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [{ text: 'Thinking…', thought: true }, { text: 'Hello, ' }, { text: 'world.' }],
            },
            finishReason: 'MAX_TOKENS',
          },
        ],
      },
      'google',
    );
    expect(completion.message).toEqual({
      role: 'assistant',
      content: 'Hello, world.',
      refusal: null,
      reasoning_content: 'Thinking…',
    });
    expect(completion.finishReason).toBe('length');
    expect(completion.usage).toEqual({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it('finishes a blocked prompt as content_filter and rejects a non-object body', () => {
    expect(convertGoogleResponse({ promptFeedback: { blockReason: 'SAFETY' } }, 'google').finishReason).toBe(
      'content_filter',
    );
    expect(() => convertGoogleResponse([], 'google')).toThrow(UpstreamMalformedError);
  });
});
