import type { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';
import type { ChatCompletionChunk } from '../../core/types/chat-chunk.js';
import { createAnthropicEventEncoder } from '../anthropic-format/index.js';
import { toAnthropicError } from '../errors/to-anthropic-error.js';
import { toOpenAIError } from '../errors/to-openai-error.js';

/** One SSE event before framing: the session adds `id:` (its position) and serializes it once. */
export interface SessionEvent {
  event?: string;
  /** A single line (JSON, or `[DONE]`). */
  data: string;
}

/**
 * A caller format's events for a chunk stream, at event level so that every event gets its own position: a client
 * cut between two events of one chunk resumes at the second.
 */
export interface SessionEventEncoder {
  encodeChunk(chunk: ChatCompletionChunk): SessionEvent[];
  /** The closing events after a clean end (`[DONE]`, or `message_delta` + `message_stop`). */
  finish(): SessionEvent[];
  /** The final event after a failure or a cancel (an error object, or Anthropic's `event: error`). */
  error(error: CircuitBreakerError): SessionEvent[];
}

const doneEvents: readonly SessionEvent[] = [{ data: '[DONE]' }];

/**
 * `JSON.stringify(chunk)` for every chunk, byte for byte, with a fast path for the common one (a text delta and
 * nothing else): per stream the constant text around the token (`{"id":…,"choices":[{"index":0,"delta":{"content":`
 * and `},"finish_reason":null}]}`) is built once, and only the token is stringified. Any other shape (role, finish,
 * usage, tool calls, extra fields) takes `JSON.stringify`.
 */
export function createOpenAIChunkSerializer(): (chunk: ChatCompletionChunk) => string {
  const serializer = new OpenAIChunkSerializer();
  return (chunk) => serializer.serialize(chunk);
}

const chunkSuffix = '},"finish_reason":null}]}';

/** The serializer's state as fields (an open stream holds it; see {@link createOpenAISessionEncoder}). */
class OpenAIChunkSerializer {
  #id: string | undefined = undefined;
  #model: string | undefined = undefined;
  #created: number | undefined = undefined;
  #prefix = '';

  serialize(chunk: ChatCompletionChunk): string {
    const choices = chunk.choices;
    if (choices.length !== 1) return JSON.stringify(chunk);
    const choice = choices[0];
    const delta = choice.delta;
    const content = delta.content;
    if (
      typeof content !== 'string' ||
      choice.finish_reason !== null ||
      choice.index !== 0 ||
      chunk.object !== 'chat.completion.chunk' ||
      keyCount(chunk) !== 5 ||
      keyCount(choice) !== 3 ||
      keyCount(delta) !== 1
    )
      return JSON.stringify(chunk);
    if (chunk.id !== this.#id || chunk.model !== this.#model || chunk.created !== this.#created) {
      this.#id = chunk.id;
      this.#model = chunk.model;
      this.#created = chunk.created;
      // Joined, not concatenated: `+` and template literals make a rope of ~10 pieces (~0.3 KB more) that the
      // stream would hold; `join` makes one flat string.
      this.#prefix = [
        '{"id":',
        JSON.stringify(chunk.id),
        ',"object":"chat.completion.chunk","created":',
        JSON.stringify(chunk.created),
        ',"model":',
        JSON.stringify(chunk.model),
        ',"choices":[{"index":0,"delta":{"content":',
      ].join('');
    }
    return this.#prefix + JSON.stringify(content) + chunkSuffix;
  }
}

/** Own enumerable keys whose value is not `undefined` (the ones `JSON.stringify` writes, for plain data). */
function keyCount(value: object): number {
  let count = 0;
  for (const key in value) if ((value as Record<string, unknown>)[key] !== undefined) count++;
  return count;
}

/**
 * OpenAI's chat-completion stream: one `data: <chunk>` per chunk, `data: [DONE]` at a clean end, and after a
 * failure the error object as data with no `[DONE]` (what OpenAI itself sends mid-stream).
 * @see https://platform.openai.com/docs/api-reference/chat/streaming
 */
export function createOpenAISessionEncoder(secrets: readonly string[]): SessionEventEncoder {
  return new OpenAISessionEncoder(secrets);
}

/**
 * A class, not a literal of closures: a stream holds its encoder for its whole life, and three closures with the
 * serializer's own cost ~0.9 KB per open stream (memory probe).
 */
class OpenAISessionEncoder extends OpenAIChunkSerializer implements SessionEventEncoder {
  readonly #secrets: readonly string[];

  constructor(secrets: readonly string[]) {
    super();
    this.#secrets = secrets;
  }

  encodeChunk(chunk: ChatCompletionChunk): SessionEvent[] {
    return [{ data: this.serialize(chunk) }];
  }

  finish(): SessionEvent[] {
    return [...doneEvents];
  }

  error(error: CircuitBreakerError): SessionEvent[] {
    return [{ data: JSON.stringify(toOpenAIError(error, this.#secrets).body) }];
  }
}

/**
 * Anthropic's Messages stream (`message_start` … `message_stop`) from the anthropic-format event encoder; a failure
 * after the start is `event: error`.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
export function createAnthropicSessionEncoder(options: {
  messageId: string;
  model: string;
  secrets: readonly string[];
}): SessionEventEncoder {
  return new AnthropicSessionEncoder(options);
}

/** A class, not a literal of closures (see {@link OpenAISessionEncoder}). */
class AnthropicSessionEncoder implements SessionEventEncoder {
  readonly #encoder: ReturnType<typeof createAnthropicEventEncoder>;
  readonly #secrets: readonly string[];

  constructor(options: { messageId: string; model: string; secrets: readonly string[] }) {
    this.#encoder = createAnthropicEventEncoder({ messageId: options.messageId, model: options.model });
    this.#secrets = options.secrets;
  }

  encodeChunk(chunk: ChatCompletionChunk): SessionEvent[] {
    return this.#encoder.encodeChunk(chunk);
  }

  finish(): SessionEvent[] {
    return this.#encoder.finish();
  }

  error(error: CircuitBreakerError): SessionEvent[] {
    return this.#encoder.error(toAnthropicError(error, this.#secrets).body.error);
  }
}
