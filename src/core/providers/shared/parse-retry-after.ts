import type { ResponseHeaders } from '../provider.js';
/**
 * Reads how long a provider asks us to wait: `retry-after-ms` (OpenAI, Anthropic SDKs honour it), then
 * `retry-after` in seconds or as an HTTP date. Returns undefined when absent or unparseable.
 * @see https://www.rfc-editor.org/rfc/rfc9110#field.retry-after
 */
export function parseRetryAfter(headers: ResponseHeaders, now: number = Date.now()): number | undefined {
  const milliseconds = headers.get('retry-after-ms');
  if (milliseconds !== null) {
    const value = Number.parseFloat(milliseconds);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const retryAfter = headers.get('retry-after');
  if (retryAfter === null) return undefined;
  const seconds = Number.parseFloat(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0 && /^\s*[\d.]+\s*$/.test(retryAfter)) return seconds * 1000;
  const date = Date.parse(retryAfter);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return undefined;
}

/** Parses a protobuf Duration string such as Gemini's `RetryInfo.retryDelay` ("34.4s") into milliseconds. */
export function parseDurationString(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^([\d.]+)s$/.exec(value.trim());
  if (!match) return undefined;
  const seconds = Number.parseFloat(match[1]);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}
