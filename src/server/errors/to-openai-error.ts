import type { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';
import { redactSecrets } from '../../core/errors/redact-secrets.js';

/** OpenAI's error envelope; the same object is the HTTP body and the data of an in-stream error event. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/**
 * Our error → OpenAI's envelope and status. `type` follows the status (what OpenAI clients branch on); `code` is our
 * stable code in OpenAI's lower-case style (`model_not_found`, `rate_limited`, `circuit_open`, …); the message goes
 * through `redactSecrets` with the configured keys, so a provider echoing our key cannot leak it.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export function toOpenAIError(
  error: CircuitBreakerError,
  secrets: readonly string[],
): { status: number; body: OpenAIErrorBody } {
  return {
    status: error.status,
    body: {
      error: {
        message: redactSecrets(error.message, secrets),
        type: mapStatusToOpenAIErrorType(error.status),
        param: error.param ?? null,
        code: error.code.toLowerCase(),
      },
    },
  };
}

function mapStatusToOpenAIErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 400 && status < 500) return 'invalid_request_error';
  return 'server_error';
}
