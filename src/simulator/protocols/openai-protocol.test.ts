import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTINUATION_INSTRUCTION } from '../../core/providers/shared/continuation.js';
import { generateTokens } from '../generate-text.js';
import { type SimulatorHandle, startSimulator } from '../start-simulator.js';

let simulator: SimulatorHandle;
let client: OpenAI;
const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { location: { type: 'string' }, days: { type: 'integer' } } },
  },
};

beforeAll(async () => {
  simulator = await startSimulator();
  client = new OpenAI({ apiKey: 'sk-test', baseURL: `${simulator.url}/v1`, maxRetries: 0 });
});
afterAll(() => simulator.close());

async function streamText(messages: OpenAI.ChatCompletionMessageParam[], model = 'sim-model') {
  const stream = await client.chat.completions.create({
    model,
    messages,
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = '';
  let reasoning = '';
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
    text += chunk.choices[0]?.delta.content ?? '';
    reasoning += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
  }
  return { text, reasoning, chunks };
}

describe('OpenAI protocol with the official SDK', () => {
  it('streams the deterministic answer, then finish, usage and [DONE]', async () => {
    const { text, chunks } = await streamText(
      [{ role: 'user', content: 'What is a circuit breaker?' }],
      'sim-model+tokens=12',
    );
    expect(text).toBe(generateTokens('What is a circuit breaker?', 12).join(''));
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks[0]!.model).toBe('sim-model');
    const finish = chunks.at(-2)!;
    expect(finish.choices[0]!.finish_reason).toBe('stop');
    const usage = chunks.at(-1)!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 12, total_tokens: 17 });
  });

  it('answers non-streamed with a chat.completion and caps at max_completion_tokens', async () => {
    const completion = await client.chat.completions.create({
      model: 'sim-model',
      max_completion_tokens: 5,
      messages: [{ role: 'user', content: 'Hello' }],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.content).toBe(generateTokens('Hello', 5).join(''));
    expect(completion.choices[0]!.finish_reason).toBe('length');
    expect(completion.usage?.completion_tokens).toBe(5);
  });

  it('streams a tool call in argument pieces, and two parallel calls with tool_calls=2', async () => {
    const stream = client.chat.completions.stream({
      model: 'sim-model+tool_calls=2',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [
        weatherTool,
        { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
      ],
    });
    let argumentDeltas = 0;
    stream.on('chunk', (chunk) => {
      if (chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments) argumentDeltas++;
    });
    const completion = await stream.finalChatCompletion();
    const calls = completion.choices[0]!.message.tool_calls!;
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(calls.map((call) => call.type === 'function' && call.function.name)).toEqual(['get_weather', 'get_time']);
    const first = calls[0]!;
    expect(first.type === 'function' && JSON.parse(first.function.arguments)).toEqual({ location: 'Paris', days: 1 });
    expect(argumentDeltas).toBeGreaterThan(2);
  });

  it('answers with text after a tool result, and calls a forced tool', async () => {
    const afterResult = await client.chat.completions.create({
      model: 'sim-model',
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temp_c":18}' },
      ],
    });
    expect(afterResult.choices[0]!.message.content).toBe(generateTokens('Weather in Paris?', 20).join(''));
    const forced = await client.chat.completions.create({
      model: 'sim-model',
      tools: [weatherTool, { type: 'function', function: { name: 'get_time' } }],
      tool_choice: { type: 'function', function: { name: 'get_time' } },
      messages: [{ role: 'user', content: 'Time?' }],
    });
    const call = forced.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.name).toBe('get_time');
    const none = await client.chat.completions.create({
      model: 'sim-model',
      tools: [weatherTool],
      tool_choice: 'none',
      messages: [{ role: 'user', content: 'Time?' }],
    });
    expect(none.choices[0]!.message.tool_calls).toBeUndefined();
  });

  it('streams reasoning_content before the answer with reasoning=N', async () => {
    const { text, reasoning, chunks } = await streamText(
      [{ role: 'user', content: 'Think' }],
      'sim-model+reasoning=4+tokens=3',
    );
    expect(reasoning).toBe(generateTokens('Think', 4, 'thinking').join(''));
    expect(text).toBe(generateTokens('Think', 3).join(''));
    expect(chunks.at(-1)!.usage?.completion_tokens_details?.reasoning_tokens).toBe(4);
  });

  it('continues a cut answer exactly (assistant turn + CONTINUATION_INSTRUCTION)', async () => {
    const prompt = 'Tell me a story';
    const full = generateTokens(prompt, 20).join('');
    for (const cut of [1, 7, 19]) {
      const partial = generateTokens(prompt, cut).join('');
      const { text } = await streamText([
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: prompt },
        { role: 'assistant', content: partial },
        { role: 'user', content: CONTINUATION_INSTRUCTION },
      ]);
      expect(partial + text).toBe(full);
    }
  });

  it('lists models', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain('sim-model');
  });
});

describe('OpenAI protocol errors', () => {
  it("answers a missing key with OpenAI's 401 body", async () => {
    const response = await fetch(`${simulator.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { type: string; code: null; message: string } };
    expect(body.error).toMatchObject({ type: 'invalid_request_error', code: null, param: null });
    expect(body.error.message).toMatch(/^You didn't provide an API key/);
  });

  it('answers a wrong key with 401 invalid_api_key when a key is configured', async () => {
    const strict = await startSimulator({ apiKey: 'sk-right-key' });
    try {
      const wrong = new OpenAI({ apiKey: 'sk-wrong-key-123', baseURL: `${strict.url}/v1`, maxRetries: 0 });
      const error = await wrong.chat.completions
        .create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
      expect((error as Error).message).not.toContain('sk-wrong-key-123');
      const right = new OpenAI({ apiKey: 'sk-right-key', baseURL: `${strict.url}/v1`, maxRetries: 0 });
      await expect(
        right.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }),
      ).resolves.toBeTruthy();
    } finally {
      await strict.close();
    }
  });

  it('validates messages like the API', async () => {
    const error = await client.chat.completions
      .create({ model: 'm' } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('messages');
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('missing_required_parameter');
  });

  it('answers an unknown simulator option with a 400 in OpenAI format', async () => {
    const error = await client.chat.completions
      .create({ model: 'm+warp=9', messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain('Unknown simulator option "warp"');
  });
});
