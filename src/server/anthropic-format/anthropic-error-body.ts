/**
 * Anthropic's error `type` values we answer with.
 * @see https://docs.anthropic.com/en/api/errors
 */
export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: AnthropicErrorType; message: string };
  request_id?: string;
}

/**
 * HTTP status → Anthropic error `type`, following Anthropic's table. Beyond it: 503 (no deployment available,
 * every circuit open) is `overloaded_error` like Anthropic's 529, the "try again shortly" signal clients know;
 * 502 (a bad upstream answer) is `api_error`; 408 is `timeout_error` like 504; other 4xx are
 * `invalid_request_error` and other 5xx `api_error`.
 * @see https://docs.anthropic.com/en/api/errors
 */
export function mapStatusToAnthropicErrorType(status: number): AnthropicErrorType {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 408:
    case 504:
      return 'timeout_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return status >= 400 && status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

/**
 * The Anthropic error envelope `{type:'error', error:{type, message}, request_id?}` for an HTTP status; the
 * server's one error mapper calls this for `/v1/messages`. Its `error` also feeds the encoder's in-stream `error`.
 * @see https://docs.anthropic.com/en/api/errors
 */
export function toAnthropicErrorBody(options: {
  status: number;
  message: string;
  requestId?: string;
}): AnthropicErrorBody {
  return {
    type: 'error',
    error: { type: mapStatusToAnthropicErrorType(options.status), message: options.message },
    ...(options.requestId !== undefined && { request_id: options.requestId }),
  };
}
