import { createParser } from 'eventsource-parser';
import { SseEventTooLargeError } from '../errors/upstream-errors.js';
import type { SseEvent } from './sse-event.js';

/** Default bound on one event (characters buffered without an event boundary): 4 MiB. */
export const DEFAULT_MAX_EVENT_BYTES = 4 * 1024 * 1024;

export interface SseDecoderOptions {
  onEvent: (event: SseEvent) => void;
  onComment?: (comment: string) => void;
  maxEventBytes?: number;
  /** Provider name, for the error raised when an event outgrows the bound. */
  provider?: string;
}

export interface SseDecoder {
  /** Feeds raw bytes as they arrive; UTF-8 sequences split across reads are joined. */
  feed(bytes: Uint8Array): void;
  /** Ends the stream: flushes a trailing event that had no final blank line. */
  end(): void;
}

/**
 * Bytes → SSE events, incrementally. Framing (LF/CR/CRLF, multi-line `data:`, comments, `id:`/`retry:`) is
 * eventsource-parser's; we add UTF-8 decoding across reads, the per-event size bound as a typed error,
 * and the end-of-stream flush the SSE spec leaves out (providers do end without a final blank line).
 * Callback-based rather than a TransformStream: one network read fans out to several events with no
 * per-event promise, which matters on the per-token path.
 * @see https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation
 */
export function createSseDecoder(options: SseDecoderOptions): SseDecoder {
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const textDecoder = new TextDecoder('utf-8');
  let overflow: SseEventTooLargeError | undefined;
  const parser = createParser({
    maxBufferSize: maxEventBytes,
    onEvent: (message) => options.onEvent(message),
    onComment: options.onComment,
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') {
        overflow = new SseEventTooLargeError(maxEventBytes, options.provider);
      }
      // Unknown fields and invalid `retry:` values are ignored, as the SSE spec says.
    },
  });

  const feedText = (text: string): void => {
    if (text.length === 0) return;
    if (overflow) throw overflow;
    parser.feed(text);
    if (overflow) throw overflow;
  };

  return {
    feed(bytes) {
      feedText(textDecoder.decode(bytes, { stream: true }));
    },
    end() {
      feedText(textDecoder.decode());
      // Dispatch a trailing event whose blank line never came; harmless when the stream ended cleanly.
      feedText('\n\n');
    },
  };
}
