import type { ChatCompletionChunk, ChunkDelta, FinishReason, RoutingMetadata, Usage } from '../types/chat-chunk.js';
import { assertNever, type StreamPart } from '../types/stream-part.js';

export interface ChunkBuilderOptions {
  id: string;
  model: string;
  created: number;
}

export interface ChunkBuilder {
  /** One part → the chunk to send now, or undefined (usage, finish and metadata are held for the end). */
  push(part: StreamPart): ChatCompletionChunk | undefined;
  /** The closing chunks: the finish chunk, then the usage chunk when asked for; metadata on the last. */
  finish(options: { includeUsage: boolean; routing?: RoutingMetadata }): ChatCompletionChunk[];
  /** The last usage the upstream reported. */
  readonly usage: Usage | undefined;
}

/**
 * Parts → `chat.completion.chunk` objects, one chunk per content part (never merged, never delayed). The role
 * rides on the first chunk that carries content, so role-only chunks never reach the caller before real output.
 * The finish chunk is held until the upstream stream ended properly: a truncated stream never looks finished.
 */
export function createChunkBuilder(options: ChunkBuilderOptions): ChunkBuilder {
  return new CompletionChunkBuilder(options);
}

/** A class, not a literal of closures with getters: a stream holds its builder for its whole life (memory probe). */
class CompletionChunkBuilder implements ChunkBuilder {
  #usage: Usage | undefined = undefined;
  #finishReason: FinishReason | undefined = undefined;
  readonly #options: ChunkBuilderOptions;
  #roleSent = false;

  constructor(options: ChunkBuilderOptions) {
    this.#options = options;
  }

  push(part: StreamPart): ChatCompletionChunk | undefined {
    switch (part.type) {
      case 'text-delta':
        if (part.text.length === 0 && !part.thoughtSignature) return undefined;
        return this.#chunk(
          part.thoughtSignature
            ? { content: part.text, thought_signature: part.thoughtSignature }
            : { content: part.text },
        );
      case 'refusal-delta':
        return part.text.length === 0 ? undefined : this.#chunk({ refusal: part.text });
      case 'reasoning-delta':
        return part.text.length === 0 ? undefined : this.#chunk({ reasoning_content: part.text });
      case 'reasoning-signature':
        return this.#chunk({ reasoning_signature: part.signature });
      case 'tool-call-start':
        return this.#chunk({
          tool_calls: [
            {
              index: part.index,
              id: part.id,
              type: 'function',
              function: { name: part.name, arguments: '' },
              ...(part.thoughtSignature ? { thought_signature: part.thoughtSignature } : {}),
            },
          ],
        });
      case 'tool-call-delta':
        return part.argumentsDelta.length === 0
          ? undefined
          : this.#chunk({ tool_calls: [{ index: part.index, function: { arguments: part.argumentsDelta } }] });
      case 'usage':
        this.#usage = part.usage;
        return undefined;
      case 'finish':
        this.#finishReason = part.reason;
        return undefined;
      case 'tool-call-end':
      case 'response-metadata':
        return undefined;
      default:
        return assertNever(part);
    }
  }

  get usage(): Usage | undefined {
    return this.#usage;
  }

  finish({ includeUsage, routing }: { includeUsage: boolean; routing?: RoutingMetadata }): ChatCompletionChunk[] {
    const options = this.#options;
    const finishChunk = this.#chunk({});
    finishChunk.choices[0].finish_reason = this.#finishReason ?? 'stop';
    const chunks = [finishChunk];
    if (includeUsage) {
      chunks.push({
        id: options.id,
        object: 'chat.completion.chunk',
        created: options.created,
        model: options.model,
        choices: [],
        usage: this.#usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
      });
    }
    if (routing) chunks[chunks.length - 1].circuit_breaker = routing;
    return chunks;
  }

  #chunk(delta: ChunkDelta): ChatCompletionChunk {
    if (!this.#roleSent) {
      this.#roleSent = true;
      delta.role = 'assistant';
    }
    const options = this.#options;
    return {
      id: options.id,
      object: 'chat.completion.chunk',
      created: options.created,
      model: options.model,
      choices: [{ index: 0, delta, finish_reason: null }],
    };
  }
}
