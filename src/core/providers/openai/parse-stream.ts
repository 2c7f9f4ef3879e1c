import { redactSecrets } from '../../errors/redact-secrets.js';
import { StreamTruncatedError, UpstreamStreamError } from '../../errors/upstream-errors.js';
import type { SseEvent } from '../../sse/sse-event.js';
import type { FinishReason } from '../../types/chat-chunk.js';
import type { StreamParser, StreamParserContext } from '../provider.js';
import { createStringSlotTemplate, type StringSlotTemplate } from '../shared/create-string-slot-template.js';
import { parseEventJson } from '../shared/parse-event-json.js';
import { mapOpenAIFinishReason } from './map-finish-reason.js';
import type { OpenAIChunk, OpenAIChunkDelta } from './openai-wire-types.js';
import { isRetryableOpenAIError, readOpenAIError } from './read-openai-error.js';
import { createToolCallTracker, type ToolCallTracker } from './track-tool-calls.js';

/**
 * OpenAI `chat.completion.chunk` events → stream parts. `[DONE]` is the end marker; a stream that ends without it,
 * or reaches it without ever giving a finish reason, is truncated. Chunks with nothing for us (Azure's
 * `prompt_filter_results` and content-filter annotations, usage-only chunks with empty `choices`) produce only what
 * they carry. Reasoning text is read from `reasoning_content` (DeepSeek, vLLM) or `reasoning` (OpenRouter, Ollama).
 * Hot path: a text-only chunk in the same envelope as the previous one is read through a learned template (only
 * the token's string literal is parsed, see {@link createStringSlotTemplate}); any other event takes one JSON.parse,
 * property reads, no regexes and no re-serializing.
 * @see https://platform.openai.com/docs/api-reference/chat/streaming
 * @see https://api-docs.deepseek.com/guides/reasoning_model
 */
export function createOpenAIStreamParser(
  context: StreamParserContext,
  options: { fastTextDeltas?: boolean } = {},
): StreamParser {
  return new OpenAIStreamParser(context, options);
}

/**
 * The parser's state as fields and its steps as methods: an open stream holds its parser, and as a factory of
 * closures it was ~1 KB (a closure and context per step, a tool-call tracker with its map made for every stream);
 * the tracker is now made with the first tool-call delta (memory probe; docs/decisions/0006).
 */
class OpenAIStreamParser implements StreamParser {
  readonly #context: StreamParserContext;
  readonly #textDeltas: StringSlotTemplate;
  #toolCalls: ToolCallTracker | undefined = undefined;
  #done = false;
  #metadataSent = false;
  #finishReason: FinishReason | undefined = undefined;

  constructor(context: StreamParserContext, options: { fastTextDeltas?: boolean }) {
    this.#context = context;
    this.#textDeltas = createStringSlotTemplate({
      marker: '"content":',
      read: readContent,
      maxLearnings: options.fastTextDeltas === false ? 0 : undefined,
    });
  }

  onEvent(event: SseEvent): void {
    if (this.#done) return;
    const context = this.#context;
    if (event.data === '[DONE]') {
      this.#done = true;
      if (this.#finishReason === undefined)
        throw new StreamTruncatedError(context.provider, '[DONE] arrived before any finish_reason');
      return;
    }
    const text = this.#textDeltas.match(event.data);
    if (text !== undefined) {
      // The same envelope as a text-only chunk already handled: onChunk would do exactly this.
      if (text) context.emit({ type: 'text-delta', text });
      return;
    }
    const chunk = parseEventJson<OpenAIChunk>(event, context);
    if (chunk === undefined) return;
    if (typeof chunk !== 'object' || chunk === null) {
      context.onMalformedEvent(event, new Error('the event data is not a JSON object'));
      return;
    }
    if (chunk.error != null || chunk.object === 'error') throw toStreamError(chunk, context.provider);
    this.#onChunk(chunk);
    // After onChunk the response metadata is sent (or this envelope has no id): a later chunk in the same
    // envelope emits only its text.
    if (isTextOnlyChunk(chunk)) this.#textDeltas.learn(event.data);
  }

  onEnd(): void {
    if (this.#done) return;
    throw new StreamTruncatedError(
      this.#context.provider,
      this.#finishReason === undefined ? 'the stream ended before a finish_reason' : 'the stream ended without [DONE]',
    );
  }

  #onChunk(chunk: OpenAIChunk): void {
    const emit = this.#context.emit;
    if (!this.#metadataSent && chunk.id) {
      this.#metadataSent = true;
      emit({ type: 'response-metadata', id: chunk.id, model: chunk.model || undefined });
    }
    const choice = chunk.choices?.[0];
    if (choice) {
      if (choice.delta) this.#onDelta(choice.delta);
      if (choice.finish_reason) this.#onFinish(choice.finish_reason);
    }
    const usage = chunk.usage;
    if (usage) {
      const promptTokens = usage.prompt_tokens ?? 0;
      const completionTokens = usage.completion_tokens ?? 0;
      emit({
        type: 'usage',
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: usage.total_tokens ?? promptTokens + completionTokens,
        },
      });
    }
  }

  #onDelta(delta: OpenAIChunkDelta): void {
    const emit = this.#context.emit;
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (reasoning) emit({ type: 'reasoning-delta', text: reasoning });
    if (delta.content) emit({ type: 'text-delta', text: delta.content });
    if (delta.refusal) emit({ type: 'refusal-delta', text: delta.refusal });
    const deltas = delta.tool_calls;
    if (!deltas) return;
    this.#toolCalls ??= createToolCallTracker(emit);
    for (let position = 0; position < deltas.length; position++) this.#toolCalls.onDelta(deltas[position], position);
  }

  #onFinish(reason: string): void {
    if (this.#finishReason !== undefined) return;
    // DeepSeek (`insufficient_system_resource`) and OpenRouter (`error`) end an answer they could not complete so:
    // a failure, not an answer.
    if (reason === 'insufficient_system_resource' || reason === 'error') {
      throw new UpstreamStreamError({
        provider: this.#context.provider,
        message: 'insufficient system resource',
        providerErrorType: reason,
      });
    }
    const finishReason = mapOpenAIFinishReason(reason);
    this.#finishReason = finishReason;
    this.#toolCalls?.endAll();
    this.#context.emit({ type: 'finish', reason: finishReason });
  }
}

/** A chunk whose only effect in onChunk is its `content` (no reasoning, refusal, tool call, finish or usage). */
function isTextOnlyChunk(chunk: OpenAIChunk): boolean {
  if (chunk.usage) return false;
  const choice = chunk.choices?.[0];
  const delta = choice?.delta;
  if (!delta || choice.finish_reason) return false;
  return (
    typeof delta.content === 'string' &&
    !(delta.reasoning_content ?? delta.reasoning) &&
    !delta.refusal &&
    !delta.tool_calls
  );
}

/** What onDelta reads as the text of a chunk. */
function readContent(parsed: unknown): unknown {
  return (parsed as OpenAIChunk).choices?.[0]?.delta?.content;
}

function toStreamError(chunk: OpenAIChunk, provider: string): UpstreamStreamError {
  const fields = readOpenAIError(chunk);
  return new UpstreamStreamError({
    provider,
    message: redactSecrets(fields?.message ?? 'unknown error'),
    providerErrorType: fields?.type ?? fields?.code,
    retryable: fields ? isRetryableOpenAIError(fields) : true,
  });
}
