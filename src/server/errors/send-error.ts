import type { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';
import type { ErrorFormat, RequestContext } from '../request-context.js';
import { sendJson } from '../send-json.js';
import { errorHeaders } from './error-headers.js';
import { toGatewayError } from './gateway-errors.js';
import { toAnthropicError } from './to-anthropic-error.js';
import { toOpenAIError } from './to-openai-error.js';

type ErrorMapper = (
  error: CircuitBreakerError,
  secrets: readonly string[],
  requestId: string,
) => { status: number; body: unknown };

/** One mapper per caller format; routes never build an error body themselves. */
export const errorMappers: Readonly<Record<ErrorFormat, ErrorMapper>> = {
  openai: toOpenAIError,
  anthropic: toAnthropicError,
};

/**
 * The one way a request fails before its response started: anything thrown becomes our error, is recorded for the
 * log line and is answered in the route's format with its status and headers. After the response started (a
 * stream), the stream writer sends the in-stream error event instead; here that case only closes the response.
 */
export async function sendError(context: RequestContext, thrown: unknown): Promise<void> {
  const error = toGatewayError(thrown);
  context.recordError(error);
  const { res } = context;
  if (context.clientGone || res.destroyed) return;
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  const { status, body } = errorMappers[context.format](error, context.gateway.secrets, context.requestId);
  await sendJson(res, { status, body, headers: { ...context.idHeaders(), ...errorHeaders(error) }, compress: false });
}
