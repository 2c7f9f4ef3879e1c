import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSseEvents } from '../collect-sse-events.js';
import { generateTokens } from '../generate-text.js';
import { type SimulatorHandle, startSimulator } from '../start-simulator.js';

let simulator: SimulatorHandle;
let client: Anthropic;
const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};
const headers = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };

beforeAll(async () => {
  simulator = await startSimulator();
  client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: simulator.url, maxRetries: 0 });
});
afterAll(() => simulator.close());

describe('Anthropic protocol with the official SDK', () => {
  it('streams the deterministic answer with messages.stream', async () => {
    const stream = client.messages.stream({
      model: 'sim-claude+tokens=9',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Explain failover' }],
    });
    const message = await stream.finalMessage();
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({ type: 'text', text: generateTokens('Explain failover', 9).join('') });
    expect(message.model).toBe('sim-claude');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBe(9);
  });

  it('sends the exact event sequence', async () => {
    const response = await fetch(`${simulator.url}/v1/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        model: 'm+tokens=2',
        max_tokens: 10,
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    const { events } = await collectSseEvents(response);
    expect(events.map((event) => event.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    for (const event of events) expect((event.json as { type: string }).type).toBe(event.event);
  });

  it('answers messages.create and stops at max_tokens', async () => {
    const message = await client.messages.create({
      model: 'm',
      max_tokens: 4,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text', text: generateTokens('Hi', 4).join('') });
    expect(message.stop_reason).toBe('max_tokens');
  });

  it('streams a tool_use block through input_json_delta', async () => {
    const stream = client.messages.stream({
      model: 'm',
      max_tokens: 100,
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    let jsonDeltas = 0;
    stream.on('inputJson', () => jsonDeltas++);
    const message = await stream.finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { location: 'Paris' } });
    expect((message.content[0] as Anthropic.ToolUseBlock).id).toMatch(/^toolu_01/);
    expect(jsonDeltas).toBeGreaterThan(1);

    const answer = await client.messages.create({
      model: 'm',
      max_tokens: 100,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: '18C' }] },
      ],
    });
    expect(answer.content[0]).toMatchObject({ type: 'text', text: generateTokens('Weather in Paris?', 20).join('') });
  });

  it('streams a thinking block with a signature before the answer', async () => {
    const message = await client.messages
      .stream({
        model: 'm+reasoning=5+tokens=3',
        max_tokens: 2000,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: 'Think hard' }],
      })
      .finalMessage();
    expect(message.content[0]).toMatchObject({
      type: 'thinking',
      thinking: generateTokens('Think hard', 5, 'thinking').join(''),
    });
    expect((message.content[0] as Anthropic.ThinkingBlock).signature.length).toBeGreaterThan(10);
    expect(message.content[1]).toMatchObject({ type: 'text', text: generateTokens('Think hard', 3).join('') });
  });

  it('continues a prefilled (trimmed) partial answer exactly', async () => {
    const prompt = 'Write a paragraph';
    const full = generateTokens(prompt, 20).join('');
    for (const cut of [1, 10, 19]) {
      const partial = generateTokens(prompt, cut).join('');
      const message = await client.messages
        .stream({
          model: 'm',
          max_tokens: 100,
          messages: [
            { role: 'user', content: prompt },
            { role: 'assistant', content: partial.trimEnd() },
          ],
        })
        .finalMessage();
      expect(partial + (message.content[0] as Anthropic.TextBlock).text).toBe(full);
    }
  });
});

describe('Anthropic protocol errors', () => {
  const post = (body: unknown, extraHeaders: Record<string, string> = headers) =>
    fetch(`${simulator.url}/v1/messages`, { method: 'POST', headers: extraHeaders, body: JSON.stringify(body) });

  it('requires max_tokens, messages and anthropic-version', async () => {
    const noMaxTokens = await post({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
    expect(noMaxTokens.status).toBe(400);
    expect(await noMaxTokens.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
    });
    const noMessages = await post({ model: 'm', max_tokens: 5 });
    expect((await noMessages.json()) as object).toMatchObject({ error: { message: 'messages: Field required' } });
    const noVersion = await post({ model: 'm', max_tokens: 5, messages: [] }, { 'x-api-key': 'k' });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ error: { type: 'invalid_request_error' } });
  });

  it('answers a missing or wrong key with 401 authentication_error', async () => {
    const missing = await post({ model: 'm', max_tokens: 5, messages: [] }, { 'anthropic-version': '2023-06-01' });
    expect(missing.status).toBe(401);
    const body = (await missing.json()) as { error: { type: string }; request_id: string };
    expect(body.error.type).toBe('authentication_error');
    expect(body.request_id).toMatch(/^req_/);
    const strict = await startSimulator({ apiKey: 'right' });
    try {
      const wrong = new Anthropic({ apiKey: 'wrong', baseURL: strict.url, maxRetries: 0 });
      const error = await wrong.messages
        .create({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      expect((error as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
        type: 'error',
        error: { type: 'authentication_error', message: 'invalid x-api-key' },
      });
    } finally {
      await strict.close();
    }
  });
});
