import type { Endpoint, StreamShape, WireFormat } from './bench-types.js';

/** A request ready for `http.request`: path, headers and the encoded body. */
export interface PreparedRequest {
  path: string;
  headers: Record<string, string | number>;
  body: Buffer;
}

const PROMPT = 'Hello';

/**
 * The model string with the simulator's per-request options as a suffix (the only per-request channel that survives
 * the gateway, which does not forward arbitrary headers). `streamId`, when set, makes the upstream model name unique
 * so that the simulator's abort records can be matched to the client's disconnects.
 */
export function modelWithOptions(endpoint: Endpoint, shape: StreamShape, streamId?: string): string {
  const id = streamId === undefined ? '' : `-${streamId}`;
  return `${endpoint.model}${id}+ttft=0+tps=${shape.tokensPerSecond}+tokens=${shape.tokens}`;
}

/** The streaming request of `endpoint`'s wire format. */
export function prepareRequest(endpoint: Endpoint, shape: StreamShape, streamId?: string): PreparedRequest {
  const model = modelWithOptions(endpoint, shape, streamId);
  const json = (path: string, headers: Record<string, string>, body: unknown): PreparedRequest => {
    const bytes = Buffer.from(JSON.stringify(body));
    return {
      path,
      headers: { 'content-type': 'application/json', 'content-length': bytes.length, ...headers },
      body: bytes,
    };
  };
  switch (endpoint.format) {
    case 'openai':
      return json(
        '/v1/chat/completions',
        { authorization: 'Bearer bench' },
        // max_tokens above every stream shape: without it a gateway translating to Anthropic applies its default
        // (4,096), which cut the 200,000-token throughput stream short.
        { model, stream: true, max_tokens: 1_000_000, messages: [{ role: 'user', content: PROMPT }] },
      );
    case 'anthropic':
      return json(
        '/v1/messages',
        { 'x-api-key': 'bench', 'anthropic-version': '2023-06-01' },
        { model, stream: true, max_tokens: 1_000_000, messages: [{ role: 'user', content: PROMPT }] },
      );
    case 'gemini':
      return json(
        `/v1beta/models/${encodeURIComponent(model)}:streamGenerateContent?alt=sse`,
        { 'x-goog-api-key': 'bench' },
        { contents: [{ role: 'user', parts: [{ text: PROMPT }] }] },
      );
    default: {
      const unknown: never = endpoint.format;
      throw new Error(`unknown wire format ${String(unknown)}`);
    }
  }
}

/** A line that carries a non-empty `marker"` string value, i.e. the character after the marker is not `"`. */
function hasNonEmptyValue(line: string, marker: string): boolean {
  const at = line.indexOf(marker);
  return at >= 0 && line.charCodeAt(at + marker.length) !== 34;
}

/**
 * Whether one SSE line carries a text token, by substring, not JSON: the client must stay far cheaper than the
 * gateway it measures. OpenAI: a non-empty `delta.content`; Anthropic: a `text_delta`; Gemini: a non-empty `text`.
 */
export function createTokenLineTest(format: WireFormat): (line: string) => boolean {
  switch (format) {
    case 'openai':
      return (line) => hasNonEmptyValue(line, '"content":"');
    case 'anthropic':
      return (line) => line.includes('"text_delta"');
    case 'gemini':
      return (line) => hasNonEmptyValue(line, '"text":"');
    default: {
      const unknown: never = format;
      throw new Error(`unknown wire format ${String(unknown)}`);
    }
  }
}
