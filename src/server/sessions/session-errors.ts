import { CircuitBreakerError } from '../../core/errors/circuit-breaker-error.js';

/**
 * The final event of a stream cancelled with `DELETE /v1/streams/{id}`: OpenAI clients read the code
 * `stream_cancelled`, Anthropic clients an `event: error`.
 */
export class StreamCancelledError extends CircuitBreakerError {
  constructor(message = 'The stream was cancelled (DELETE /v1/streams/{id}).') {
    super({ code: 'STREAM_CANCELLED', status: 499, message });
  }
}

/** No session with this id for this caller: unknown, expired, or started with another key (never said apart). */
export class StreamNotFoundError extends CircuitBreakerError {
  constructor(id: string) {
    super({ code: 'NOT_FOUND', status: 404, message: `No stream ${id}.` });
  }
}

/** The session keeps no events to resume from: not requested as resumable, or its buffer went over a cap. */
export class StreamNotResumableError extends CircuitBreakerError {
  constructor(id: string) {
    super({
      code: 'STREAM_NOT_RESUMABLE',
      status: 409,
      message:
        `Stream ${id} cannot be resumed: it keeps no events (start it with \`x-circuit-breaker-resumable: true\`), ` +
        'or its buffer went over the configured cap.',
    });
  }
}

/** `max_sessions` live sessions already: nothing finished to evict. */
export class TooManyStreamsError extends CircuitBreakerError {
  constructor(limit: number) {
    super({
      code: 'TOO_MANY_STREAMS',
      status: 503,
      retryable: true,
      retryAfterMs: 1_000,
      message: `The gateway holds its maximum of ${limit} live streams; retry shortly.`,
    });
  }
}
