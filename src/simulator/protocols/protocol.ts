import type { ResponsePlan } from '../plan-response.js';
import type { HttpReply, ParsedRequest, SimulatorProtocol } from '../simulator-types.js';

/** Bytes for one `res.write`. Lean mode hands out cached Buffers; otherwise strings built per stream. */
export type Chunk = string | Buffer;

/**
 * A streamed answer, pre-rendered: the writer sends `prelude` with the headers, one `tokens` entry per write (the
 * unit faults and pacing count), then `trailer`; `errorEvent` replaces the trailer for `error_after`.
 */
export interface StreamRendering {
  headers: Record<string, string>;
  prelude: Chunk;
  tokens: TokenFrames;
  trailer: Chunk;
  errorEvent: Chunk;
}

/**
 * The token writes of a stream, by position: an array, or frames rendered only when written (a stream cut after
 * 3 of its 1,000 tokens renders 3), where no two streams can share them.
 */
export interface TokenFrames {
  readonly length: number;
  at(index: number): Chunk | undefined;
}

/** Options for an error answer in a protocol's own format. */
export interface ErrorDetails {
  /** Overrides the provider's standard message for the status (validation errors). */
  message?: string;
  /** OpenAI `error.param` / `error.code` for validation errors. */
  param?: string;
  code?: string | null;
  /** For 429: seconds in `retry-after` (and Gemini's `RetryInfo`). */
  retryAfterSeconds?: number;
  /** The request asked for a stream: Gemini then keeps `text/event-stream` on the error. */
  streaming?: boolean;
  /** The model, for messages that name it. */
  model?: string;
}

/** Everything that renders per-request values: the echoed model, ids, and the token-frame encoder. */
export interface RenderContext {
  model: string;
  /** A fresh id with the given prefix (constant per prefix in lean mode, so templates can be cached). */
  createId(prefix: string): string;
  /** Encodes tokens as `prefix + JSON string + suffix`; lean mode caches the bytes per template and token. */
  createTokenEncoder(prefix: string, suffix: string): (token: string) => Chunk;
  /** Unix seconds, for OpenAI's `created`. */
  created: number;
}

/** Where a request goes, as the router determined it from method and path. */
export interface RouteInfo {
  /** Gemini carries the model in the path. */
  pathModel?: string;
  /** Gemini carries streaming in the method (`streamGenerateContent`). */
  pathStream?: boolean;
}

/**
 * One wire protocol: authentication, body validation into the protocol-neutral request, and rendering of answers and
 * errors exactly as the provider sends them. @see /work/shared/provider-notes/errors.md
 */
export interface ProtocolHandler {
  protocol: SimulatorProtocol;
  /** The status `overloaded` maps to (Anthropic 529, others 503). */
  overloadedStatus: number;
  /** The status `error_after` becomes on a non-streamed request (the in-stream error's status). */
  inStreamErrorStatus: number;
  /** An error reply when the key is missing/wrong (or a required header is missing); undefined when fine. */
  authenticate(
    headers: Record<string, string | string[] | undefined>,
    url: URL,
    apiKey: string | undefined,
  ): HttpReply | undefined;
  parseRequest(body: unknown, route: RouteInfo): ParsedRequest | HttpReply;
  renderError(status: number, details?: ErrorDetails): HttpReply;
  renderStream(plan: ResponsePlan, request: ParsedRequest, context: RenderContext): StreamRendering;
  renderCompletion(plan: ResponsePlan, request: ParsedRequest, context: RenderContext): HttpReply;
}

/** True for an `HttpReply` (the request ends here) rather than a parsed or prepared request. */
export function isHttpReply<T extends object>(value: T | HttpReply): value is HttpReply {
  return 'status' in value && 'body' in value && 'headers' in value;
}

/** A JSON reply with the given headers. */
export function jsonReply(status: number, body: unknown, headers: Record<string, string> = {}): HttpReply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** A value as a plain object, or undefined. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The first value of a header. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The key of an `Authorization: Bearer <key>` header, or `''` when there is none (OpenAI, and Anthropic SDK 1.x). */
export function bearerToken(headers: Record<string, string | string[] | undefined>): string {
  const authorization = headerValue(headers.authorization) ?? '';
  return authorization.startsWith('Bearer ') ? authorization.slice(7).trim() : '';
}

/**
 * The text the answer is seeded from: the latest turn before `end` for which `textOf` gives a string (each protocol
 * decides which turns count: user turns, and whether an empty one does).
 */
export function findSeedText<T>(turns: readonly T[], end: number, textOf: (turn: T) => string | undefined): string {
  for (let index = end - 1; index >= 0; index--) {
    const text = textOf(turns[index]!);
    if (text !== undefined) return text;
  }
  return '';
}

/** The entry of a per-status error table, falling back to the 500 entry for server errors and the 400 one otherwise. */
export function standardErrorFor<T>(table: Record<number, T>, status: number): T {
  return table[status] ?? (status >= 500 ? table[500]! : table[400]!);
}

/**
 * Collects a stream's bytes into the writer's units. Structural events (block starts/stops, signatures) are glued
 * onto the next token's write, so faults and pacing count only tokens; events before the first token go into the
 * prelude (sent at once, before the time to first token), events after the last into the trailer.
 */
export function createFrameBuilder() {
  let prelude = '';
  const tokens: Chunk[] = [];
  let pending = '';
  return {
    /** Bytes that are not a token. */
    structural(text: string): void {
      if (tokens.length === 0) prelude += text;
      else pending += text;
    },
    token(chunk: Chunk): void {
      if (pending === '') tokens.push(chunk);
      else tokens.push(typeof chunk === 'string' ? pending + chunk : Buffer.concat([Buffer.from(pending), chunk]));
      pending = '';
    },
    /** Ends the stream: the trailer is whatever structural bytes are still pending, then `trailer`. */
    finish(trailer: string): { prelude: string; tokens: Chunk[]; trailer: string } {
      return { prelude, tokens, trailer: pending + trailer };
    },
  };
}
