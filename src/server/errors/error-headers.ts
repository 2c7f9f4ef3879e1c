import type { OutgoingHttpHeaders } from 'node:http';
import type { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';
import { MethodNotAllowedError, PayloadTooLargeError } from './gateway-errors.js';

/**
 * Headers an error response carries in every caller format: `retry-after` (whole seconds, rounded up, as both SDKs
 * read it) and the more precise `retry-after-ms` when the error knows when to come back; `allow` on a 405;
 * `connection: close` on a 413.
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function errorHeaders(error: CircuitBreakerError): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = {};
  if (error.retryAfterMs !== undefined && (error.status === 429 || error.status >= 500)) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
    headers['retry-after-ms'] = String(Math.max(0, Math.round(error.retryAfterMs)));
  }
  if (error instanceof MethodNotAllowedError) headers.allow = error.allow.join(', ');
  // The rest of an oversized body is not worth reading: close the connection after answering.
  if (error instanceof PayloadTooLargeError) headers.connection = 'close';
  return headers;
}
