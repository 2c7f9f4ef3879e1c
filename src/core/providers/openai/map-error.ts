import type { CircuitBreakerError } from '../../errors/circuit-breaker-error.js';
import { redactSecrets } from '../../errors/redact-secrets.js';
import { UpstreamStatusError } from '../../errors/upstream-errors.js';
import type { UpstreamErrorInput } from '../provider.js';
import { parseRetryAfter } from '../shared/parse-retry-after.js';
import { type OpenAIErrorFields, readOpenAIError } from './read-openai-error.js';

/** How much of a non-JSON error body (an HTML page from a proxy) goes into the message. */
const MAX_TEXT_MESSAGE_LENGTH = 300;

/** OpenAI-compatible servers (vLLM, llama.cpp) report an over-long prompt only in the message text. */
const contextLengthMessage = /maximum context length|context length exceeded|context_length_exceeded/i;

/**
 * A non-2xx answer → {@link UpstreamStatusError}. Retryable: 408, 409, 429 and 5xx, except a 429 for exhausted quota
 * (`insufficient_quota`: retrying cannot help until billing changes); `x-should-retry` overrides, as in the official
 * SDK. The body may be anything (a proxy's HTML page): then the status and a bounded slice of the text are used.
 * @see https://platform.openai.com/docs/guides/error-codes
 * @see https://github.com/openai/openai-node/blob/master/src/client.ts (shouldRetry)
 */
export function mapOpenAIError(input: UpstreamErrorInput): CircuitBreakerError {
  const fields = readErrorFields(input.bodyText);
  const message = redactSecrets(fields?.message || describeBody(input));
  const contextLengthExceeded =
    fields?.code === 'context_length_exceeded' || (input.status === 400 && contextLengthMessage.test(message));
  return new UpstreamStatusError({
    provider: input.provider,
    status: input.status,
    message,
    providerErrorType: fields?.type,
    providerErrorCode: fields?.code,
    retryable: isRetryable(input, fields),
    retryAfterMs: parseRetryAfter(input.headers),
    contextLengthExceeded,
  });
}

function isRetryable(input: UpstreamErrorInput, fields: OpenAIErrorFields | undefined): boolean {
  const shouldRetry = input.headers.get('x-should-retry');
  if (shouldRetry === 'false') return false;
  if (shouldRetry === 'true') return true;
  const { status } = input;
  if (status === 429) return fields?.code !== 'insufficient_quota' && fields?.type !== 'insufficient_quota';
  return status === 408 || status === 409 || status >= 500;
}

function readErrorFields(bodyText: string): OpenAIErrorFields | undefined {
  if (bodyText.length === 0) return undefined;
  try {
    return readOpenAIError(JSON.parse(bodyText));
  } catch {
    return undefined;
  }
}

function describeBody(input: UpstreamErrorInput): string {
  const text = input.bodyText.trim().replace(/\s+/g, ' ');
  if (text.length === 0) return `HTTP ${input.status} with an empty body`;
  return text.length > MAX_TEXT_MESSAGE_LENGTH ? `${text.slice(0, MAX_TEXT_MESSAGE_LENGTH)}…` : text;
}
