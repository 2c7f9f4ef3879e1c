import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSseEvents } from '../collect-sse-events.js';
import { generateTokens } from '../generate-text.js';
import { type SimulatorHandle, startSimulator } from '../start-simulator.js';

let simulator: SimulatorHandle;

beforeAll(async () => {
  simulator = await startSimulator();
});
afterAll(() => simulator.close());

interface GeminiChunk {
  candidates: Array<{ content: { parts: Array<Record<string, unknown>>; role: string }; finishReason?: string }>;
  usageMetadata: {
    promptTokenCount: number;
    candidatesTokenCount: number;
    totalTokenCount: number;
    thoughtsTokenCount?: number;
  };
  modelVersion: string;
}

function generate(model: string, body: unknown, options: { stream?: boolean; key?: string | null } = {}) {
  const method = options.stream === false ? 'generateContent' : 'streamGenerateContent?alt=sse';
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.key !== null) headers['x-goog-api-key'] = options.key ?? 'gemini-key';
  return fetch(`${simulator.url}/v1beta/models/${encodeURIComponent(model)}:${method}`, {
    method: 'POST',
    headers,
    body: JSON.stringify(body),
  });
}

async function streamChunks(model: string, body: unknown): Promise<GeminiChunk[]> {
  const response = await generate(model, body);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  return (await collectSseEvents(response)).events.map((event) => event.json as GeminiChunk);
}

const textOf = (chunks: GeminiChunk[]) =>
  chunks
    .flatMap((chunk) => chunk.candidates[0]!.content.parts)
    .filter((part) => part.thought !== true && typeof part.text === 'string')
    .map((part) => part.text)
    .join('');

const ask = (text: string) => ({ contents: [{ role: 'user', parts: [{ text }] }] });

describe('Gemini protocol over fetch + SSE', () => {
  it('streams the answer with running-total usage and a final finishReason', async () => {
    const chunks = await streamChunks('gemini-sim+tokens=6', ask('Why is the sky blue?'));
    expect(textOf(chunks)).toBe(generateTokens('Why is the sky blue?', 6).join(''));
    expect(chunks).toHaveLength(6);
    expect(chunks.map((chunk) => chunk.usageMetadata.candidatesTokenCount)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(chunks.at(-1)!.usageMetadata).toMatchObject({ promptTokenCount: 5, totalTokenCount: 11 });
    expect(chunks.slice(0, -1).every((chunk) => chunk.candidates[0]!.finishReason === undefined)).toBe(true);
    expect(chunks.at(-1)!.candidates[0]!.finishReason).toBe('STOP');
    expect(chunks[0]!.modelVersion).toBe('gemini-sim');
  });

  it('frames events with CRLF', async () => {
    const response = await generate('g+tokens=2', ask('x'));
    const text = await response.text();
    expect(text.startsWith('data: {')).toBe(true);
    expect(text.split('\r\n\r\n')).toHaveLength(3);
  });

  it('answers generateContent non-streamed and stops at maxOutputTokens with MAX_TOKENS', async () => {
    const response = await generate(
      'g',
      { ...ask('Hello'), generationConfig: { maxOutputTokens: 3 } },
      { stream: false },
    );
    const body = (await response.json()) as GeminiChunk;
    expect(body.candidates[0]!.content.parts[0]!.text).toBe(generateTokens('Hello', 3).join(''));
    expect(body.candidates[0]!.finishReason).toBe('MAX_TOKENS');
  });

  it('answers with one functionCall part, then text after the functionResponse', async () => {
    const tools = [
      {
        functionDeclarations: [
          { name: 'get_weather', parameters: { type: 'OBJECT', properties: { location: { type: 'STRING' } } } },
        ],
      },
    ];
    const chunks = await streamChunks('g', { ...ask('Weather?'), tools });
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.candidates[0]!.content.parts).toEqual([
      { functionCall: { name: 'get_weather', args: { location: 'Paris' } } },
    ]);
    expect(chunks[0]!.candidates[0]!.finishReason).toBe('STOP');
    const after = await streamChunks('g', {
      tools,
      contents: [
        { role: 'user', parts: [{ text: 'Weather?' }] },
        { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { location: 'Paris' } } }] },
        { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temp_c: 18 } } }] },
      ],
    });
    expect(textOf(after)).toBe(generateTokens('Weather?', 20).join(''));
  });

  it('streams thought parts first with reasoning=N', async () => {
    const chunks = await streamChunks('g+reasoning=3+tokens=2', ask('Ponder'));
    const thoughts = chunks.filter((chunk) => chunk.candidates[0]!.content.parts[0]!.thought === true);
    expect(thoughts.map((chunk) => chunk.candidates[0]!.content.parts[0]!.text).join('')).toBe(
      generateTokens('Ponder', 3, 'thinking').join(''),
    );
    expect(chunks.at(-1)!.usageMetadata.thoughtsTokenCount).toBe(3);
    expect(textOf(chunks)).toBe(generateTokens('Ponder', 2).join(''));
    // Running totals at every event (each rendered when written): thoughts first, then answer tokens.
    expect(
      chunks.map((chunk) => [chunk.usageMetadata.thoughtsTokenCount ?? 0, chunk.usageMetadata.candidatesTokenCount]),
    ).toEqual([
      [1, 0],
      [2, 0],
      [3, 0],
      [3, 1],
      [3, 2],
    ]);
  });

  it('continues a model-role partial answer exactly', async () => {
    const prompt = 'Describe the sea';
    const full = generateTokens(prompt, 20).join('');
    for (const cut of [2, 13]) {
      const partial = generateTokens(prompt, cut).join('');
      const chunks = await streamChunks('g', {
        contents: [
          { role: 'user', parts: [{ text: prompt }] },
          { role: 'model', parts: [{ text: partial }] },
        ],
      });
      expect(partial + textOf(chunks)).toBe(full);
    }
  });

  it('accepts the key as ?key= and rejects a missing key with 400 API_KEY_INVALID', async () => {
    const withQuery = await fetch(`${simulator.url}/v1beta/models/g:generateContent?key=abc`, {
      method: 'POST',
      body: JSON.stringify(ask('x')),
    });
    expect(withQuery.status).toBe(200);
    const missing = await generate('g', ask('x'), { key: null });
    expect(missing.status).toBe(400);
    // Google keeps the event-stream content type on errors to streaming requests; the body is plain JSON.
    expect(missing.headers.get('content-type')).toBe('text/event-stream');
    const body = (await missing.json()) as {
      error: { code: number; status: string; details: Array<{ reason?: string }> };
    };
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(body.error.details[0]!.reason).toBe('API_KEY_INVALID');
  });

  it('rejects a request without contents with 400 INVALID_ARGUMENT', async () => {
    const response = await generate('g', {}, { stream: false });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
  });
});
