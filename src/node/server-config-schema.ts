import { z } from 'zod';
import { ConfigError } from '../core/errors/request-errors.js';
import { type Environment, interpolateEnv } from '../core/router/interpolate-env.js';
import { keyOf } from '../server/middleware/authenticate.js';

/**
 * The `server` section of the config file: how the gateway listens and guards itself. Numbers are coerced so
 * that `port: ${PORT}` works after interpolation (the environment only holds strings).
 */
export const serverConfigSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.coerce.number().int().min(0).max(65535).default(3000),
    /**
     * Bearer keys callers must present; empty means no authentication (then only loopback is allowed). An entry is
     * the key, or `{name, key}`: the name then identifies the key in usage, limits and logs.
     */
    api_keys: z
      .array(z.union([z.string(), z.object({ name: z.string().min(1), key: z.string() }).strict()]))
      .default([])
      .transform((keys) =>
        keys
          .map((entry) => (typeof entry === 'string' ? entry.trim() : { name: entry.name, key: entry.key.trim() }))
          .filter((entry) => keyOf(entry) !== ''),
      ),
    max_body_bytes: z.coerce
      .number()
      .int()
      .positive()
      .default(10 * 1024 * 1024),
    /** Time a client has to send the full request headers (slowloris guard). */
    header_deadline_ms: z.coerce.number().int().positive().default(10_000),
    /** Interval of SSE comment keep-alives while a stream waits for its first token. */
    keep_alive_interval_ms: z.coerce.number().int().positive().default(15_000),
    /** How long shutdown lets in-flight streams finish before aborting them. */
    shutdown_grace_ms: z.coerce.number().int().min(0).default(10_000),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Log prompts and completions. Off by default: they are user data. */
    log_content: z.boolean().default(false),
    /**
     * Origins (`https://app.example.com`, exact) whose pages may call the API from a browser; `*` for any. Default
     * none: only pages served from the gateway's own origin. See docs/sessions.md (browsers).
     */
    cors_origins: z
      .array(
        z
          .string()
          .trim()
          .regex(/^(\*|https?:\/\/[^/\s]+)\/?$/, 'an origin is scheme://host[:port], or *'),
      )
      .default([]),
    /** Stream sessions (resume after a dropped connection, list, cancel): see docs/sessions.md. */
    sessions: z
      .object({
        /** `on_request`: a request opts in (`x-circuit-breaker-resumable: true`); `always`: every stream keeps its events. */
        resume: z.enum(['on_request', 'always']).default('on_request'),
        detach_timeout_ms: z.coerce.number().int().min(0).default(60_000),
        retention_ms: z.coerce.number().int().min(0).default(300_000),
        max_events: z.coerce.number().int().positive().default(10_000),
        max_bytes: z.coerce
          .number()
          .int()
          .positive()
          .default(4 * 1024 * 1024),
        max_sessions: z.coerce.number().int().positive().default(10_000),
      })
      .strict()
      .prefault({}),
    /** `/v1/ws`: keep-alive and per-socket bounds; see docs/sessions.md. */
    websocket: z
      .object({
        /** Ping interval; a socket that did not answer the previous ping is terminated. */
        ping_interval_ms: z.coerce.number().int().positive().default(30_000),
        /** Bytes waiting to be sent on one socket past which all its streams pause until it drains. */
        max_buffered_bytes: z.coerce
          .number()
          .int()
          .positive()
          .default(1024 * 1024),
        /** Streams one socket may run at once. */
        max_streams_per_socket: z.coerce.number().int().positive().default(100),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type ServerConfigInput = z.input<typeof serverConfigSchema>;
export type ServerConfig = z.output<typeof serverConfigSchema>;

/**
 * The effective server settings: the `server` section with `${VAR}` interpolated, then the environment overrides
 * `CIRCUIT_BREAKER_API_KEYS` (comma-separated keys, added to the file's), `HOST` and `PORT`.
 * Throws a `ConfigError` naming the offending field.
 */
export function resolveServerConfig(section: unknown, env: Environment): ServerConfig {
  const interpolated = (
    section === undefined || section === null ? {} : interpolateEnv(section, env, 'server')
  ) as Record<string, unknown>;
  if (typeof interpolated !== 'object' || Array.isArray(interpolated)) {
    throw new ConfigError('The server section must be a mapping (host:, port:, api_keys:, …)', { param: 'server' });
  }
  const withEnv: Record<string, unknown> = { ...interpolated };
  if (env.HOST) withEnv.host = env.HOST;
  if (env.PORT) withEnv.port = env.PORT;
  const environmentKeys = env.CIRCUIT_BREAKER_API_KEYS?.split(',') ?? [];
  if (environmentKeys.length > 0) {
    const fileKeys = Array.isArray(withEnv.api_keys) ? withEnv.api_keys : [];
    withEnv.api_keys = [...fileKeys, ...environmentKeys];
  }
  const parsed = serverConfigSchema.safeParse(withEnv);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ['server', ...issue.path.map(String)].join('.');
    throw new ConfigError(`Invalid config at ${path}: ${issue.message}`, { param: path });
  }
  return parsed.data;
}
