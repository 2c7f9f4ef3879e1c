import type { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';
import { redactSecrets } from '../../core/errors/redact-secrets.js';
import { type AnthropicErrorBody, toAnthropicErrorBody } from '../anthropic-format/index.js';

/**
 * Our error → Anthropic's envelope and status, for every answer on `/v1/messages`; its `error` object is also what
 * the event encoder puts into an in-stream `event: error`. The message is redacted like every outgoing message.
 * @see https://docs.anthropic.com/en/api/errors
 */
export function toAnthropicError(
  error: CircuitBreakerError,
  secrets: readonly string[],
  requestId?: string,
): { status: number; body: AnthropicErrorBody } {
  return {
    status: error.status,
    body: toAnthropicErrorBody({ status: error.status, message: redactSecrets(error.message, secrets), requestId }),
  };
}
