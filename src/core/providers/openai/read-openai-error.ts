import type { OpenAIErrorObject } from './openai-wire-types.js';

/** The fields of an OpenAI-style error, normalized: codes are strings, absent fields undefined. */
export interface OpenAIErrorFields {
  message: string | undefined;
  type: string | undefined;
  code: string | undefined;
  param: string | undefined;
}

/**
 * Reads an error from a parsed body or stream event. Accepts OpenAI's envelope `{"error":{message,type,param,code}}`,
 * the bare-string form `{"error":"model not found"}` (Ollama, llama.cpp) and vLLM's flat
 * `{"object":"error","message":…,"type":…,"code":400}`. Returns undefined when the value carries no error.
 * @see https://platform.openai.com/docs/guides/error-codes
 */
export function readOpenAIError(value: unknown): OpenAIErrorFields | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as { error?: unknown; object?: unknown };
  if (typeof record.error === 'string') {
    return { message: record.error, type: undefined, code: undefined, param: undefined };
  }
  if (typeof record.error === 'object' && record.error !== null) return normalize(record.error as OpenAIErrorObject);
  if (record.object === 'error') return normalize(value as OpenAIErrorObject);
  return undefined;
}

/**
 * Whether an error reported inside a 200 stream is worth another attempt: the caller's own mistakes and exhausted
 * quota are not; server trouble, overload and rate limits are. Unknown kinds are treated as transient.
 */
export function isRetryableOpenAIError(fields: OpenAIErrorFields): boolean {
  if (fields.code === 'insufficient_quota' || fields.type === 'insufficient_quota') return false;
  if (fields.code === 'context_length_exceeded' || fields.code === 'invalid_api_key') return false;
  if (fields.type === 'invalid_request_error' || fields.type === 'authentication_error') return false;
  if (fields.code !== undefined && /^\d{3}$/.test(fields.code)) {
    const status = Number(fields.code);
    return status >= 500 || status === 429 || status === 408 || status === 409;
  }
  return true;
}

function normalize(error: OpenAIErrorObject): OpenAIErrorFields {
  return {
    message: typeof error.message === 'string' ? error.message : undefined,
    type: typeof error.type === 'string' ? error.type : undefined,
    code: typeof error.code === 'string' || typeof error.code === 'number' ? String(error.code) : undefined,
    param: typeof error.param === 'string' ? error.param : undefined,
  };
}
