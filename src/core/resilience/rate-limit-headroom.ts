import type { ResponseHeaders } from '../providers/provider.js';
/**
 * What a provider's rate-limit headers say is left. Every field is optional: providers send some, all or none.
 * Reset times are relative (ms from when the headers were read).
 */
export interface RateLimitHeadroom {
  remainingRequests?: number;
  remainingTokens?: number;
  limitRequests?: number;
  limitTokens?: number;
  resetRequestsMs?: number;
  resetTokensMs?: number;
}

/** A headroom reading and when it was taken (as kept in the deployment stats). */
export interface RateLimitObservation extends RateLimitHeadroom {
  observedAt: number;
}

/** How long a reading without a reset time is trusted. */
const defaultStaleAfterMs = 60_000;

/**
 * Reads OpenAI `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` and Anthropic
 * `anthropic-ratelimit-{requests,tokens,input-tokens}-{limit,remaining,reset}` headers. Returns an empty object
 * when there are none (Gemini sends none).
 * @see https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers
 * @see https://docs.anthropic.com/en/api/rate-limits#response-headers
 */
export function readRateLimitHeadroom(headers: ResponseHeaders, now: number = Date.now()): RateLimitHeadroom {
  const headroom: RateLimitHeadroom = {
    limitRequests: readNumber(headers, 'x-ratelimit-limit-requests', 'anthropic-ratelimit-requests-limit'),
    limitTokens: readNumber(
      headers,
      'x-ratelimit-limit-tokens',
      'anthropic-ratelimit-tokens-limit',
      'anthropic-ratelimit-input-tokens-limit',
    ),
    remainingRequests: readNumber(headers, 'x-ratelimit-remaining-requests', 'anthropic-ratelimit-requests-remaining'),
    remainingTokens: readNumber(
      headers,
      'x-ratelimit-remaining-tokens',
      'anthropic-ratelimit-tokens-remaining',
      'anthropic-ratelimit-input-tokens-remaining',
    ),
    resetRequestsMs:
      parseOpenAiDuration(headers.get('x-ratelimit-reset-requests')) ??
      parseResetDate(headers.get('anthropic-ratelimit-requests-reset'), now),
    resetTokensMs:
      parseOpenAiDuration(headers.get('x-ratelimit-reset-tokens')) ??
      parseResetDate(
        headers.get('anthropic-ratelimit-tokens-reset') ?? headers.get('anthropic-ratelimit-input-tokens-reset'),
        now,
      ),
  };
  for (const key of Object.keys(headroom) as (keyof RateLimitHeadroom)[]) {
    if (headroom[key] === undefined) delete headroom[key];
  }
  return headroom;
}

/**
 * True when less than `threshold` (default 5 %) of the request or token limit is left, or nothing at all is
 * left when the limit is unknown. A reading whose reset time has passed (or, without one, older than a minute)
 * no longer counts.
 */
export function isNearRateLimit(
  headroom: RateLimitHeadroom | RateLimitObservation | null | undefined,
  options: { now?: number; threshold?: number } = {},
): boolean {
  if (!headroom) return false;
  const threshold = options.threshold ?? 0.05;
  if ('observedAt' in headroom && options.now !== undefined) {
    const age = options.now - headroom.observedAt;
    const resets = [headroom.resetRequestsMs, headroom.resetTokensMs].filter((x): x is number => x !== undefined);
    const trustedFor = resets.length > 0 ? Math.max(...resets) : defaultStaleAfterMs;
    if (age >= trustedFor) return false;
  }
  return (
    isShort(headroom.remainingRequests, headroom.limitRequests, threshold) ||
    isShort(headroom.remainingTokens, headroom.limitTokens, threshold)
  );
}

function isShort(remaining: number | undefined, limit: number | undefined, threshold: number): boolean {
  if (remaining === undefined) return false;
  if (limit === undefined || limit <= 0) return remaining <= 0;
  return remaining / limit < threshold;
}

function readNumber(headers: ResponseHeaders, ...names: string[]): number | undefined {
  for (const name of names) {
    const raw = headers.get(name);
    if (raw === null) continue;
    const value = Number(raw.trim());
    if (raw.trim() !== '' && Number.isFinite(value)) return value;
  }
  return undefined;
}

/** OpenAI's Go-style durations: `1s`, `6m0s`, `20ms`, `1h2m3.5s`. */
function parseOpenAiDuration(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const text = raw.trim();
  if (!/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(text)) return undefined;
  const unitMs: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) total += Number(match[1]) * unitMs[match[2]];
  return total;
}

/** Anthropic's RFC 3339 reset timestamps, as ms from `now`. */
function parseResetDate(raw: string | null, now: number): number | undefined {
  if (raw === null) return undefined;
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
