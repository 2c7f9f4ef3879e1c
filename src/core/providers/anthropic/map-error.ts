import type { CircuitBreakerError } from '../../errors/circuit-breaker-error.js';
import { UpstreamStatusError } from '../../errors/upstream-errors.js';
import type { UpstreamErrorInput } from '../provider.js';
import { parseRetryAfter } from '../shared/parse-retry-after.js';
import type { AnthropicErrorObject } from './anthropic-api-types.js';

/**
 * A non-2xx Messages API answer → {@link UpstreamStatusError}. The envelope is
 * `{"type":"error","error":{"type","message"},"request_id"}`. Retryable as the official SDK decides: 408, 409, 429
 * and 5xx (529 is "overloaded"), overridden by `x-should-retry`; a 429 for an exhausted spend limit never clears by
 * waiting, so it is not retryable. A 400 "prompt is too long" is a context-length error (for context-window
 * fallbacks).
 * @see https://docs.anthropic.com/en/api/errors
 * @see https://github.com/anthropics/anthropic-sdk-typescript/blob/main/src/client.ts (shouldRetry)
 */
export function mapAnthropicError(input: UpstreamErrorInput): CircuitBreakerError {
  const { status, headers } = input;
  const error = parseErrorObject(input.bodyText);
  const message =
    typeof error?.message === 'string' ? error.message : input.bodyText.trim().slice(0, 500) || `HTTP ${status}`;
  const providerErrorType = typeof error?.type === 'string' ? error.type : undefined;
  const errorCode = error?.details?.error_code;
  const providerErrorCode = typeof errorCode === 'string' ? errorCode : undefined;

  let retryable = status === 408 || status === 409 || status === 429 || status >= 500;
  const shouldRetry = headers.get('x-should-retry');
  if (shouldRetry === 'true') retryable = true;
  if (shouldRetry === 'false') retryable = false;
  if (providerErrorCode === 'enforced_spend_limit_reached') retryable = false;

  return new UpstreamStatusError({
    provider: input.provider,
    status,
    message,
    providerErrorType,
    providerErrorCode,
    retryable,
    retryAfterMs: parseRetryAfter(headers),
    contextLengthExceeded: status === 400 && /prompt is too long/i.test(message),
    // An overloaded_error is overload whatever status carries it (529 normally).
    kind: providerErrorType === 'overloaded_error' ? 'overloaded' : undefined,
  });
}

function parseErrorObject(bodyText: string): AnthropicErrorObject | undefined {
  try {
    const body: unknown = JSON.parse(bodyText);
    if (body === null || typeof body !== 'object') return undefined;
    const error = (body as { error?: unknown }).error;
    return error !== null && typeof error === 'object' ? (error as AnthropicErrorObject) : undefined;
  } catch {
    return undefined; // An HTML page from a proxy: the status alone classifies it.
  }
}
