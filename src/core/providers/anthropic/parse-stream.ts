import { StreamTruncatedError, UpstreamStreamError } from '../../errors/upstream-errors.js';
import type { SseEvent } from '../../sse/sse-event.js';
import type { StreamParser, StreamParserContext } from '../provider.js';
import { createStringSlotTemplate, type StringSlotTemplate } from '../shared/create-string-slot-template.js';
import { parseEventJson } from '../shared/parse-event-json.js';
import type { AnthropicErrorObject, AnthropicStreamEvent, AnthropicUsage } from './anthropic-api-types.js';
import { mapAnthropicStopReason } from './map-finish-reason.js';
import { countAnthropicPromptTokens } from './map-usage.js';

/**
 * In-stream error types that are the request's or the account's fault: another attempt would fail the same way.
 * Everything else (`overloaded_error`, `api_error`, `rate_limit_error`, `timeout_error`, unknown types) is retryable.
 * @see https://docs.anthropic.com/en/api/errors
 */
const nonRetryableStreamErrorTypes = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'billing_error',
]);

/**
 * Anthropic Messages stream events → our stream parts. Dispatches on the JSON `type` (the docs guarantee the SSE
 * `event:` name equals it). Tool calls are numbered by their order among `tool_use` blocks (0, 1, …), not by content
 * block index, because a text or thinking block before them shifts the block index. `message_stop` is the end
 * marker: a stream that ends without it is truncated. `ping` and unknown event/block/delta types are skipped, as
 * the versioning policy asks clients to do.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 * @see https://docs.anthropic.com/en/api/versioning
 */
export function createAnthropicStreamParser(
  context: StreamParserContext,
  options: { fastTextDeltas?: boolean } = {},
): StreamParser {
  return new AnthropicStreamParser(context, options);
}

type EventOf<T extends AnthropicStreamEvent['type']> = Extract<AnthropicStreamEvent, { type: T }>;

/**
 * The parser's state as fields and its steps as methods: an open stream holds its parser, and as a factory of
 * closures it held a closure and context per step and a map made for every stream; the map of tool-call ordinals is
 * now made with the first `tool_use` block (memory probe; docs/decisions/0006).
 */
class AnthropicStreamParser implements StreamParser {
  readonly #context: StreamParserContext;
  /** A text_delta in the same envelope as one already parsed: only its text literal is parsed (see the template). */
  readonly #textDeltas: StringSlotTemplate;
  /** content block index → tool-call ordinal, for the blocks that are `tool_use`. */
  #toolOrdinals: Map<number, number> | undefined = undefined;
  #promptTokens = 0;
  #completionTokens = 0;
  #finished = false;
  #stopped = false;

  constructor(context: StreamParserContext, options: { fastTextDeltas?: boolean }) {
    this.#context = context;
    this.#textDeltas = createStringSlotTemplate({
      marker: '"text":',
      read: readTextDelta,
      maxLearnings: options.fastTextDeltas === false ? 0 : undefined,
    });
  }

  onEvent(event: SseEvent): void {
    const text = this.#textDeltas.match(event.data);
    if (text !== undefined) {
      // What onBlockDelta does with a text_delta; it depends on no state.
      if (text) this.#context.emit({ type: 'text-delta', text });
      return;
    }
    const data = parseEventJson<AnthropicStreamEvent | null>(event, this.#context);
    if (data === undefined || data === null || typeof data !== 'object') return;
    this.#handle(data);
    if (typeof readTextDelta(data) === 'string') this.#textDeltas.learn(event.data);
  }

  onEnd(): void {
    if (!this.#stopped) throw new StreamTruncatedError(this.#context.provider, 'the stream ended before message_stop');
  }

  // Ordered by frequency: deltas are nearly every event.
  #handle(event: AnthropicStreamEvent): void {
    switch (event.type) {
      case 'content_block_delta':
        this.#onBlockDelta(event);
        return;
      case 'content_block_start':
        this.#onBlockStart(event);
        return;
      case 'content_block_stop': {
        const index = this.#toolOrdinals?.get(event.index);
        if (index !== undefined) this.#context.emit({ type: 'tool-call-end', index });
        return;
      }
      case 'message_start':
        this.#onMessageStart(event);
        return;
      case 'message_delta':
        this.#onMessageDelta(event);
        return;
      case 'message_stop':
        this.#stopped = true;
        return;
      case 'error':
        throw createStreamError(this.#context.provider, event.error);
      case 'ping':
        return;
      default:
        return; // Event types added after this was written.
    }
  }

  #onBlockDelta({ index: blockIndex, delta }: EventOf<'content_block_delta'>): void {
    const emit = this.#context.emit;
    switch (delta?.type) {
      case 'text_delta':
        if (delta.text) emit({ type: 'text-delta', text: delta.text });
        return;
      case 'input_json_delta': {
        const index = this.#toolOrdinals?.get(blockIndex);
        // The first delta of a tool_use block is often empty; server-tool blocks have no ordinal.
        if (index !== undefined && delta.partial_json) {
          emit({ type: 'tool-call-delta', index, argumentsDelta: delta.partial_json });
        }
        return;
      }
      case 'thinking_delta':
        if (delta.thinking) emit({ type: 'reasoning-delta', text: delta.thinking });
        return;
      case 'signature_delta':
        if (delta.signature) emit({ type: 'reasoning-signature', signature: delta.signature });
        return;
      default:
        return; // citations_delta and newer delta types.
    }
  }

  #onBlockStart({ index: blockIndex, content_block: block }: EventOf<'content_block_start'>): void {
    const emit = this.#context.emit;
    switch (block?.type) {
      case 'text':
        if (block.text) emit({ type: 'text-delta', text: block.text });
        return;
      case 'tool_use': {
        this.#toolOrdinals ??= new Map();
        const index = this.#toolOrdinals.size;
        this.#toolOrdinals.set(blockIndex, index);
        emit({ type: 'tool-call-start', index, id: block.id ?? '', name: block.name ?? '' });
        return;
      }
      case 'thinking':
        if (block.thinking) emit({ type: 'reasoning-delta', text: block.thinking });
        return;
      default:
        return; // redacted_thinking, server-tool blocks and newer block types.
    }
  }

  #onMessageStart({ message }: EventOf<'message_start'>): void {
    this.#context.emit({ type: 'response-metadata', id: message?.id, model: message?.model });
    if (message?.usage) {
      this.#promptTokens = countAnthropicPromptTokens(message.usage);
      this.#completionTokens = message.usage.output_tokens ?? 0;
    }
  }

  #onMessageDelta({ delta, usage }: EventOf<'message_delta'>): void {
    const stopReason = delta?.stop_reason;
    if (stopReason != null && !this.#finished) {
      this.#finished = true;
      this.#context.emit({ type: 'finish', reason: mapAnthropicStopReason(stopReason) });
    }
    if (usage) this.#emitUsage(usage);
  }

  #emitUsage(usage: AnthropicUsage): void {
    // message_delta usage is cumulative; input_tokens there (newer API) supersedes message_start's.
    if (usage.input_tokens != null) this.#promptTokens = countAnthropicPromptTokens(usage);
    if (usage.output_tokens != null) this.#completionTokens = usage.output_tokens;
    const promptTokens = this.#promptTokens;
    const completionTokens = this.#completionTokens;
    this.#context.emit({
      type: 'usage',
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    });
  }
}

/** The text of a `content_block_delta` event with a `text_delta`; undefined for any other event. */
function readTextDelta(parsed: unknown): unknown {
  const event = parsed as AnthropicStreamEvent | null;
  if (event?.type !== 'content_block_delta' || event.delta?.type !== 'text_delta') return undefined;
  return event.delta.text;
}

function createStreamError(provider: string, error: AnthropicErrorObject | undefined): UpstreamStreamError {
  const type = typeof error?.type === 'string' ? error.type : undefined;
  return new UpstreamStreamError({
    provider,
    message: typeof error?.message === 'string' ? error.message : (type ?? 'unknown error'),
    providerErrorType: type,
    retryable: type === undefined || !nonRetryableStreamErrorTypes.has(type),
  });
}
