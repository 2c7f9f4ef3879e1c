import type { IncomingMessage, ServerResponse } from 'node:http';

/** The request headers a browser may send to the API (preflight `access-control-allow-headers`). */
const allowedHeaders = 'authorization, x-api-key, content-type, last-event-id, x-circuit-breaker-resumable';

/** The response headers a cross-origin script may read: the stream id to resume from, who served, the request id. */
const exposedHeaders = [
  'x-circuit-breaker-stream-id',
  'x-circuit-breaker-resumable',
  'x-circuit-breaker-provider',
  'x-circuit-breaker-model',
  'x-circuit-breaker-deployment',
  'x-circuit-breaker-attempts',
  'x-request-id',
  'request-id',
  'retry-after',
].join(', ');

/** How long a browser may cache a preflight answer. */
const preflightMaxAgeSeconds = 600;

/** Cross-origin access for browsers, from `server.cors_origins`. */
export interface CorsPolicy {
  /** Adds the CORS headers to the response of a request from an allowed origin; nothing otherwise. */
  apply(req: IncomingMessage, res: ServerResponse): void;
  /** Answers an `OPTIONS` preflight: 204, with the allow headers when the origin is allowed (else the browser refuses). */
  preflight(req: IncomingMessage, res: ServerResponse, methods: readonly string[]): void;
}

/**
 * CORS for the listed origins (exact `scheme://host[:port]`, or `*` for any). With none, the default, no CORS header is
 * ever sent: only pages of the gateway's own origin can read its answers, which is what a browser does without CORS.
 * Keys travel in headers (or `?api_key=` on the routes that take it), never cookies, so no `allow-credentials`.
 * @see https://fetch.spec.whatwg.org/#http-cors-protocol
 */
export function createCorsPolicy(origins: readonly string[]): CorsPolicy {
  const anyOrigin = origins.includes('*');
  const allowed = new Set(origins.map((origin) => origin.replace(/\/+$/, '')));

  function allowOrigin(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    if (allowed.size === 0 || origin === undefined) return false;
    // The answer depends on the Origin header: caches must keep one per origin.
    res.setHeader('vary', 'origin');
    if (!anyOrigin && !allowed.has(origin)) return false;
    res.setHeader('access-control-allow-origin', anyOrigin ? '*' : origin);
    return true;
  }

  return {
    apply(req, res) {
      if (allowOrigin(req, res)) res.setHeader('access-control-expose-headers', exposedHeaders);
    },
    preflight(req, res, methods) {
      if (allowOrigin(req, res)) {
        res.setHeader('access-control-allow-methods', [...methods, 'OPTIONS'].join(', '));
        res.setHeader('access-control-allow-headers', allowedHeaders);
        res.setHeader('access-control-max-age', String(preflightMaxAgeSeconds));
      }
      res.writeHead(204).end();
    },
  };
}
