import { redactSecrets } from '../../errors/redact-secrets.js';
import { StreamTruncatedError, UpstreamStreamError } from '../../errors/upstream-errors.js';
import type { SseEvent } from '../../sse/sse-event.js';
import type { StreamParser, StreamParserContext } from '../provider.js';
import { createStringSlotTemplate, type StringSlotTemplate } from '../shared/create-string-slot-template.js';
import { parseEventJson } from '../shared/parse-event-json.js';
import { convertGoogleUsage } from './convert-usage.js';
import { generateToolCallId } from './generate-tool-call-id.js';
import type { GoogleGenerateContentResponse, GooglePart, GoogleRpcStatus } from './google-types.js';
import { mapGoogleFinishReason } from './map-finish-reason.js';

/**
 * Parses a Gemini `streamGenerateContent?alt=sse` stream: every event is a whole GenerateContentResponse
 * carrying the next parts of candidate 0.
 * - thought text (`thought: true`) → `reasoning-delta`; other text → `text-delta`.
 * - a `functionCall` arrives whole → `tool-call-start` + one `tool-call-delta` + `tool-call-end`, with a generated id.
 * - `thoughtSignature` rides on the part it came with. Gemini also sends it on an EMPTY text part (typically the
 *   last event); no empty delta is emitted for that: the signature is held and attached to the next non-empty
 *   text part, and dropped if none follows (for text answers Gemini documents echoing it as optional).
 * - `usageMetadata` holds running totals: a `usage` part is emitted whenever they change, never summed.
 * - `finishReason` (or a prompt `blockReason` without candidates) is the end marker; ending without it is truncation.
 * @see https://ai.google.dev/api/generate-content#method:-models.streamgeneratecontent
 * @see https://ai.google.dev/gemini-api/docs/thought-signatures
 */
export function createGoogleStreamParser(
  context: StreamParserContext,
  options: { fastTextDeltas?: boolean } = {},
): StreamParser {
  return new GoogleStreamParser(context, options);
}

/**
 * The parser's state as fields and its steps as methods: an open stream holds its parser, and a factory of
 * closures held a closure and context per step (memory probe; docs/decisions/0006).
 */
class GoogleStreamParser implements StreamParser {
  readonly #context: StreamParserContext;
  #metadataSent = false;
  #toolCallCount = 0;
  #finished = false;
  #pendingSignature: string | undefined = undefined;
  #lastPromptTokens = -1;
  #lastCompletionTokens = -1;
  #lastTotalTokens = -1;
  /**
   * Hot path: an event that differs from a learned plain-text event only in its text and its numbers (the running
   * usage counts every Gemini event carries) is read through this template: only the text is parsed.
   */
  readonly #textDeltas: StringSlotTemplate;
  /**
   * The last event read through the template, whose usage is read when it can matter: before the next event read
   * in full, and at the end. The last figures are the same as reading every event's.
   */
  #unreadUsage: string | undefined = undefined;

  constructor(context: StreamParserContext, options: { fastTextDeltas?: boolean }) {
    this.#context = context;
    this.#textDeltas = createStringSlotTemplate({
      marker: '"text":',
      read: readPlainText,
      numbersMayDiffer: true,
      maxLearnings: options.fastTextDeltas === false ? 0 : undefined,
    });
  }

  onEvent(event: SseEvent): void {
    const context = this.#context;
    // A pending signature belongs on the next text: that one takes the full path.
    if (this.#pendingSignature === undefined) {
      const text = this.#textDeltas.match(event.data);
      if (text !== undefined) {
        if (text) context.emit({ type: 'text-delta', text });
        this.#unreadUsage = event.data;
        return;
      }
    }
    this.#readUnreadUsage();
    const response = parseEventJson<GoogleGenerateContentResponse>(event, context);
    if (typeof response !== 'object' || response === null) return;
    if (response.error) throw createStreamError(context.provider, response.error);
    if (!this.#metadataSent) {
      this.#metadataSent = true;
      context.emit({ type: 'response-metadata', id: response.responseId, model: response.modelVersion });
    }
    const candidate = response.candidates?.[0];
    const parts = candidate?.content?.parts;
    if (parts) for (let index = 0; index < parts.length; index++) this.#emitPart(parts[index]);
    this.#emitUsage(response);
    if (readPlainText(response) !== undefined) this.#textDeltas.learn(event.data);
    if (this.#finished) return;
    if (candidate?.finishReason) {
      this.#finished = true;
      context.emit({ type: 'finish', reason: mapGoogleFinishReason(candidate.finishReason, this.#toolCallCount > 0) });
    } else if (!candidate && response.promptFeedback?.blockReason) {
      this.#finished = true;
      context.emit({ type: 'finish', reason: 'content_filter' });
    }
  }

  onEnd(): void {
    this.#readUnreadUsage();
    if (!this.#finished)
      throw new StreamTruncatedError(this.#context.provider, 'the stream ended before a finishReason');
  }

  #emitPart(part: GooglePart): void {
    const emit = this.#context.emit;
    if (part.functionCall) {
      const index = this.#toolCallCount++;
      const signature = part.thoughtSignature;
      const id = generateToolCallId();
      const name = part.functionCall.name;
      emit(
        signature
          ? { type: 'tool-call-start', index, id, name, thoughtSignature: signature }
          : { type: 'tool-call-start', index, id, name },
      );
      emit({ type: 'tool-call-delta', index, argumentsDelta: JSON.stringify(part.functionCall.args ?? {}) });
      emit({ type: 'tool-call-end', index });
      return;
    }
    const text = part.text;
    if (typeof text !== 'string') return;
    if (text.length === 0) {
      if (part.thoughtSignature) this.#pendingSignature = part.thoughtSignature;
      return;
    }
    if (part.thought === true) {
      // `reasoning-delta` carries no signature: keep it for the answer text, where the caller can echo it.
      if (part.thoughtSignature) this.#pendingSignature = part.thoughtSignature;
      emit({ type: 'reasoning-delta', text });
      return;
    }
    const signature = part.thoughtSignature ?? this.#pendingSignature;
    this.#pendingSignature = undefined;
    emit(signature ? { type: 'text-delta', text, thoughtSignature: signature } : { type: 'text-delta', text });
  }

  #readUnreadUsage(): void {
    const data = this.#unreadUsage;
    if (data === undefined) return;
    this.#unreadUsage = undefined;
    // Valid JSON: it matched a template learned from an event that parsed.
    this.#emitUsage(JSON.parse(data) as GoogleGenerateContentResponse);
  }

  #emitUsage(response: GoogleGenerateContentResponse): void {
    if (!response.usageMetadata) return;
    const usage = convertGoogleUsage(response.usageMetadata);
    if (
      usage.prompt_tokens === this.#lastPromptTokens &&
      usage.completion_tokens === this.#lastCompletionTokens &&
      usage.total_tokens === this.#lastTotalTokens
    ) {
      return;
    }
    this.#lastPromptTokens = usage.prompt_tokens;
    this.#lastCompletionTokens = usage.completion_tokens;
    this.#lastTotalTokens = usage.total_tokens;
    this.#context.emit({ type: 'usage', usage });
  }
}

/**
 * The text of an event that is one plain text part of candidate 0 and nothing else the parser acts on (no thought,
 * signature, call, finish, block or error); undefined for any other event.
 */
function readPlainText(parsed: unknown): string | undefined {
  const response = parsed as GoogleGenerateContentResponse;
  if (response.error || response.promptFeedback || response.candidates?.length !== 1) return undefined;
  const candidate = response.candidates[0];
  const parts = candidate.content?.parts;
  if (candidate.finishReason || parts?.length !== 1) return undefined;
  const part = parts[0];
  if (part.thought !== undefined || part.thoughtSignature !== undefined || part.functionCall) return undefined;
  return typeof part.text === 'string' ? part.text : undefined;
}

/** Overload, internal and timeout errors are worth another try; a rejected request is not. */
function createStreamError(provider: string, error: GoogleRpcStatus): UpstreamStreamError {
  const code = typeof error.code === 'number' ? error.code : 500;
  return new UpstreamStreamError({
    provider,
    message: redactSecrets(typeof error.message === 'string' ? error.message : 'unknown error'),
    providerErrorType: typeof error.status === 'string' ? error.status : undefined,
    retryable: code === 408 || code === 429 || code >= 500,
  });
}
