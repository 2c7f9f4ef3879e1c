import {
  StreamTruncatedError,
  UpstreamConnectionError,
  UpstreamMalformedError,
  UpstreamStatusError,
  UpstreamStreamError,
} from '../core/errors/upstream-errors.js';
import { createSseDecoder } from '../core/sse/create-sse-decoder.js';
import type { SseEvent } from '../core/sse/sse-event.js';
import type { ChatCompletionChunk } from '../core/types/chat-chunk.js';
import type { ChatCompletionRequest } from '../core/types/chat-request.js';

export interface StreamGatewayChatOptions {
  /** The gateway's origin (`http://127.0.0.1:3000`) or its `/v1` base. */
  url: string;
  /** A gateway key, sent as `authorization: Bearer …`. */
  apiKey?: string;
  request: ChatCompletionRequest;
  signal?: AbortSignal;
  fetch?: typeof fetch;
}

const GATEWAY = 'gateway';

/**
 * Streams a chat completion from a running gateway: one POST to `/v1/chat/completions`, the SSE body decoded by the
 * core's decoder, each `data:` parsed as a chunk until `[DONE]`. Errors come back typed like the router's: the
 * gateway's HTTP errors as `UpstreamStatusError`, an in-stream error event as `UpstreamStreamError`, a stream that
 * ends without `[DONE]` as `StreamTruncatedError`.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */
export async function* streamGatewayChat(options: StreamGatewayChatOptions): AsyncGenerator<ChatCompletionChunk> {
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(chatCompletionsUrl(options.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      body: JSON.stringify({ ...options.request, stream: true, stream_options: { include_usage: true } }),
      signal: options.signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new UpstreamConnectionError(`${GATEWAY} at ${options.url}`, error);
  }
  if (!response.ok || !response.body) throw await toStatusError(response);

  const events: SseEvent[] = [];
  const decoder = createSseDecoder({ onEvent: (event) => events.push(event), provider: GATEWAY });
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) decoder.end();
      else decoder.feed(value);
      for (const event of events.splice(0)) {
        if (event.data === '[DONE]') return;
        yield parseChunk(event);
      }
      if (done) throw new StreamTruncatedError(GATEWAY, 'the stream ended without [DONE]');
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function chatCompletionsUrl(url: string): string {
  const base = url.replace(/\/+$/, '');
  return base.endsWith('/v1') ? `${base}/chat/completions` : `${base}/v1/chat/completions`;
}

function parseChunk(event: SseEvent): ChatCompletionChunk {
  let value: unknown;
  try {
    value = JSON.parse(event.data);
  } catch (error) {
    throw new UpstreamMalformedError(GATEWAY, `an SSE event is not JSON: ${event.data.slice(0, 120)}`, error);
  }
  const error = (value as { error?: { message?: string; type?: string } }).error;
  if (event.event === 'error' || error) {
    throw new UpstreamStreamError({
      provider: GATEWAY,
      message: error?.message ?? event.data,
      providerErrorType: error?.type,
      retryable: false,
    });
  }
  return value as ChatCompletionChunk;
}

async function toStatusError(response: Response): Promise<UpstreamStatusError> {
  const text = await response.text().catch(() => '');
  let message = text.slice(0, 500) || response.statusText;
  let type: string | undefined;
  let code: string | undefined;
  try {
    const body = JSON.parse(text) as { error?: { message?: string; type?: string; code?: string } };
    message = body.error?.message ?? message;
    type = body.error?.type;
    code = body.error?.code;
  } catch {
    // Not JSON (a proxy in between): the text is the message.
  }
  return new UpstreamStatusError({
    provider: GATEWAY,
    status: response.status,
    message,
    providerErrorType: type,
    providerErrorCode: code,
    retryable: false,
  });
}
