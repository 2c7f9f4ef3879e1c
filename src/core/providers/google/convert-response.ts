import { UpstreamMalformedError } from '../../errors/upstream-errors.js';
import type { CompletionMessage, CompletionToolCall, FinishReason } from '../../types/chat-chunk.js';
import type { ProviderCompletion } from '../provider.js';
import { convertGoogleUsage } from './convert-usage.js';
import { generateToolCallId } from './generate-tool-call-id.js';
import type { GoogleGenerateContentResponse } from './google-types.js';
import { mapGoogleFinishReason } from './map-finish-reason.js';

/**
 * A non-streamed Gemini GenerateContentResponse → our completion: candidate 0's text joined, thought text as
 * `reasoning_content`, function calls as `tool_calls` with generated ids, the first text signature as
 * `thought_signature` (including one on an empty text part: in a whole response there is no later part to move
 * it to). A prompt blocked before any candidate is a `content_filter` finish with no content.
 * @see https://ai.google.dev/api/generate-content#v1beta.GenerateContentResponse
 */
export function convertGoogleResponse(body: unknown, provider: string): Omit<ProviderCompletion, 'headers'> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new UpstreamMalformedError(provider, 'the response was not a GenerateContentResponse object');
  }
  const response = body as GoogleGenerateContentResponse;
  const candidate = response.candidates?.[0];
  let text = '';
  let reasoning = '';
  let thoughtSignature: string | undefined;
  const toolCalls: CompletionToolCall[] = [];
  for (const part of candidate?.content?.parts ?? []) {
    if (part.functionCall) {
      const call: CompletionToolCall = {
        id: generateToolCallId(),
        type: 'function',
        function: { name: part.functionCall.name, arguments: JSON.stringify(part.functionCall.args ?? {}) },
      };
      if (part.thoughtSignature) call.thought_signature = part.thoughtSignature;
      toolCalls.push(call);
    } else if (typeof part.text === 'string') {
      if (part.thought === true) reasoning += part.text;
      else {
        text += part.text;
        thoughtSignature ??= part.thoughtSignature;
      }
    }
  }

  const message: CompletionMessage = { role: 'assistant', content: text.length > 0 ? text : null, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning.length > 0) message.reasoning_content = reasoning;
  if (thoughtSignature) message.thought_signature = thoughtSignature;

  let finishReason: FinishReason;
  if (candidate?.finishReason) finishReason = mapGoogleFinishReason(candidate.finishReason, toolCalls.length > 0);
  else if (!candidate && response.promptFeedback?.blockReason) finishReason = 'content_filter';
  else finishReason = toolCalls.length > 0 ? 'tool_calls' : 'stop';

  return {
    message,
    finishReason,
    usage: convertGoogleUsage(response.usageMetadata ?? {}),
    upstreamId: response.responseId,
    upstreamModel: response.modelVersion,
  };
}
