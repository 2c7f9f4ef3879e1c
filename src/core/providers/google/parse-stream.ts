import { redactSecrets } from '../../errors/redact-secrets.js';
import { StreamTruncatedError, UpstreamStreamError } from '../../errors/upstream-errors.js';
import type { SseEvent } from '../../sse/sse-event.js';
import type { StreamParser, StreamParserContext } from '../provider.js';
import { createStringSlotTemplate } from '../shared/create-string-slot-template.js';
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
  const { emit } = context;
  // Hot path: an event that differs from a learned plain-text event only in its text and its numbers (the running
  // usage counts every Gemini event carries) is read through a template: only the text is parsed. Its usage is read
  // when it can matter, before the next event read in full and at the end, so the last figures are the same.
  const textDeltas = createStringSlotTemplate({
    marker: '"text":',
    read: readPlainText,
    numbersMayDiffer: true,
    maxLearnings: options.fastTextDeltas === false ? 0 : undefined,
  });
  /** The last event read through the template: its usage, not yet read. */
  let unreadUsage: string | undefined;
  let metadataSent = false;
  let toolCallCount = 0;
  let finished = false;
  let pendingSignature: string | undefined;
  let lastPromptTokens = -1;
  let lastCompletionTokens = -1;
  let lastTotalTokens = -1;

  function emitPart(part: GooglePart): void {
    if (part.functionCall) {
      const index = toolCallCount++;
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
      if (part.thoughtSignature) pendingSignature = part.thoughtSignature;
      return;
    }
    if (part.thought === true) {
      // `reasoning-delta` carries no signature: keep it for the answer text, where the caller can echo it.
      if (part.thoughtSignature) pendingSignature = part.thoughtSignature;
      emit({ type: 'reasoning-delta', text });
      return;
    }
    const signature = part.thoughtSignature ?? pendingSignature;
    pendingSignature = undefined;
    emit(signature ? { type: 'text-delta', text, thoughtSignature: signature } : { type: 'text-delta', text });
  }

  function emitUsage(response: GoogleGenerateContentResponse): void {
    if (!response.usageMetadata) return;
    const usage = convertGoogleUsage(response.usageMetadata);
    if (
      usage.prompt_tokens === lastPromptTokens &&
      usage.completion_tokens === lastCompletionTokens &&
      usage.total_tokens === lastTotalTokens
    ) {
      return;
    }
    lastPromptTokens = usage.prompt_tokens;
    lastCompletionTokens = usage.completion_tokens;
    lastTotalTokens = usage.total_tokens;
    emit({ type: 'usage', usage });
  }

  function readUnreadUsage(): void {
    const data = unreadUsage;
    if (data === undefined) return;
    unreadUsage = undefined;
    // Valid JSON: it matched a template learned from an event that parsed.
    emitUsage(JSON.parse(data) as GoogleGenerateContentResponse);
  }

  return {
    onEvent(event: SseEvent) {
      // A pending signature belongs on the next text: that one takes the full path.
      if (pendingSignature === undefined) {
        const text = textDeltas.match(event.data);
        if (text !== undefined) {
          if (text) emit({ type: 'text-delta', text });
          unreadUsage = event.data;
          return;
        }
      }
      readUnreadUsage();
      const response = parseEventJson<GoogleGenerateContentResponse>(event, context);
      if (typeof response !== 'object' || response === null) return;
      if (response.error) throw createStreamError(context.provider, response.error);
      if (!metadataSent) {
        metadataSent = true;
        emit({ type: 'response-metadata', id: response.responseId, model: response.modelVersion });
      }
      const candidate = response.candidates?.[0];
      const parts = candidate?.content?.parts;
      if (parts) for (let index = 0; index < parts.length; index++) emitPart(parts[index]);
      emitUsage(response);
      if (metadataSent && readPlainText(response) !== undefined) textDeltas.learn(event.data);
      if (finished) return;
      if (candidate?.finishReason) {
        finished = true;
        emit({ type: 'finish', reason: mapGoogleFinishReason(candidate.finishReason, toolCallCount > 0) });
      } else if (!candidate && response.promptFeedback?.blockReason) {
        finished = true;
        emit({ type: 'finish', reason: 'content_filter' });
      }
    },
    onEnd() {
      readUnreadUsage();
      if (!finished) throw new StreamTruncatedError(context.provider, 'the stream ended before a finishReason');
    },
  };
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
