import { redactSecrets } from '../../errors/redact-secrets.js';
import { UpstreamStatusError } from '../../errors/upstream-errors.js';
import type { UpstreamErrorInput } from '../provider.js';
import { parseDurationString, parseRetryAfter } from '../shared/parse-retry-after.js';
import type { GoogleRpcStatus } from './google-types.js';

const retryInfoType = 'type.googleapis.com/google.rpc.RetryInfo';
const contextLengthPattern = /input token count.*exceeds the maximum/i;

/**
 * A non-2xx Gemini answer (a google.rpc.Status envelope) → our typed error. Gemini quirks handled here:
 * - an invalid key is a 400 `INVALID_ARGUMENT` with `ErrorInfo.reason = API_KEY_INVALID`: our key is wrong,
 *   so it is an `authentication` error, never the caller's fault;
 * - the retry delay of a 429 is in the body (`RetryInfo.retryDelay`, a Duration string such as "34.4s");
 * - an error to a streaming request still says `text/event-stream` but its body is plain JSON (sometimes
 *   wrapped in a one-element array by the non-SSE endpoint), so the body text is parsed whatever the headers say.
 * @see https://ai.google.dev/gemini-api/docs/troubleshooting
 * @see https://cloud.google.com/apis/design/errors
 */
export function mapGoogleError(input: UpstreamErrorInput): UpstreamStatusError {
  const status = readRpcStatus(input.bodyText);
  const details = Array.isArray(status?.details) ? status.details : [];
  const message = redactSecrets(
    typeof status?.message === 'string' && status.message ? status.message : describeBody(input.bodyText),
  );
  const reason = details.find((detail) => typeof detail?.reason === 'string')?.reason;
  const retryAfterMs =
    parseDurationString(details.find((detail) => detail?.['@type'] === retryInfoType)?.retryDelay) ??
    parseRetryAfter(input.headers);
  const contextLengthExceeded = input.status === 400 && contextLengthPattern.test(message);

  return new UpstreamStatusError({
    provider: input.provider,
    status: input.status,
    message,
    providerErrorType: typeof status?.status === 'string' ? status.status : undefined,
    providerErrorCode: reason,
    retryable: input.status === 408 || input.status === 429 || input.status >= 500,
    retryAfterMs,
    contextLengthExceeded,
    kind: reason === 'API_KEY_INVALID' ? 'authentication' : undefined,
  });
}

function readRpcStatus(bodyText: string): GoogleRpcStatus | undefined {
  let body: unknown;
  try {
    body = JSON.parse(bodyText);
  } catch {
    return undefined;
  }
  if (Array.isArray(body)) body = body[0];
  if (typeof body !== 'object' || body === null) return undefined;
  const error = (body as { error?: unknown }).error;
  return typeof error === 'object' && error !== null ? (error as GoogleRpcStatus) : undefined;
}

/** A body that is not the documented envelope (a proxy's HTML page): a short excerpt, or a placeholder. */
function describeBody(bodyText: string): string {
  const excerpt = bodyText.trim().slice(0, 200);
  return excerpt || 'no error body';
}
