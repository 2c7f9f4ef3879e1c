import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';

/**
 * Where secrets can appear in what we log: request headers (`authorization`, `x-api-key`, Gemini's
 * `x-goog-api-key`) and config objects (`api_key`, `apiKey`, at the top or up to three levels down, which covers
 * `config.providers.<name>.api_key`). pino replaces them before serializing, so no code path can leak them.
 * @see https://getpino.io/#/docs/redaction
 */
export const redactedPaths: readonly string[] = [
  'authorization',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-goog-api-key"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers["x-goog-api-key"]',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-goog-api-key"]',
  'api_key',
  'apiKey',
  'api_keys',
  '*.api_key',
  '*.apiKey',
  '*.api_keys',
  '*.*.api_key',
  '*.*.apiKey',
  '*.*.*.api_key',
];

export interface CreateLoggerOptions {
  level?: LevelWithSilent;
  /** Defaults to stderr, so stdout stays for what a command prints (URLs, streamed tokens). */
  destination?: DestinationStream;
  /** Added to every line (for example `{ service: 'gateway' }`). */
  base?: Record<string, unknown>;
}

/** The process logger: JSON lines, ISO timestamps, secrets redacted, level from the `server.log_level` setting. */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...redactedPaths], censor: '[redacted]' },
    },
    options.destination ?? createBufferedStderr(),
  );
}

/** Longest a log line waits in the buffer when traffic is too low to fill it. */
const LOG_FLUSH_INTERVAL_MS = 250;

/**
 * stderr, written in batches: lines gather until 4 KB (about ten request lines) and go out in one asynchronous
 * write, and a timer flushes whatever waits every 250 ms. A write per request line cost the event loop a syscall
 * (sync, ~40-70 µs) or a thread-pool hand-off (async, as much again on a busy 2-core machine) on every request. pino
 * flushes synchronously on process exit, so a crash or `process.exit` loses nothing; only a SIGKILL can lose the
 * last quarter second.
 * @see https://getpino.io/#/docs/asynchronous
 */
function createBufferedStderr(): DestinationStream {
  const destination = pino.destination({ dest: 2, sync: false, minLength: 4096 });
  setInterval(() => {
    // Nothing buffered, or a write already in flight: the next tick of the timer takes it.
    try {
      destination.flush();
    } catch {}
  }, LOG_FLUSH_INTERVAL_MS).unref();
  return destination;
}
