import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** A configured gateway key: the key itself, or `{name, key}` to be identified by that name in usage and limits. */
export type GatewayKey = string | { name: string; key: string };

/** The secret of a configured key. */
export function keyOf(entry: GatewayKey): string {
  return typeof entry === 'string' ? entry : entry.key;
}

/** The configured gateway keys, kept only as digests. */
export interface Keyring {
  /** False when no keys are configured: every request passes (the runtime allows that only on loopback). */
  readonly enabled: boolean;
  /**
   * The identity of the key the request presents (`Authorization: Bearer <key>` or `x-api-key: <key>`), or undefined
   * when it presents none or an unknown one. The identity is the key's configured name, or a short hash: safe to log
   * and to key sessions, usage and limits by.
   */
  identify(req: IncomingMessage): string | undefined;
  /** The identity of a key presented elsewhere than in a header (a WebSocket subprotocol, an `api_key` query). */
  identifyKey(key: string): string | undefined;
}

/**
 * Keys are compared as SHA-256 digests with `timingSafeEqual` against every configured key, without stopping at a
 * match: the time taken says nothing about how much of a guess was right, nor which key matched.
 */
export function createKeyring(keys: readonly GatewayKey[]): Keyring {
  const entries = keys
    .filter((entry) => keyOf(entry).length > 0)
    .map((entry) => ({
      digest: digest(keyOf(entry)),
      identity: typeof entry === 'string' ? identityOf(entry) : entry.name,
    }));
  function identifyKey(presented: string): string | undefined {
    const presentedDigest = digest(presented.trim());
    let identity: string | undefined;
    for (const entry of entries) {
      if (timingSafeEqual(entry.digest, presentedDigest)) identity = entry.identity;
    }
    return identity;
  }
  return {
    enabled: entries.length > 0,
    identify(req) {
      const presented = readPresentedKey(req);
      return presented === undefined ? undefined : identifyKey(presented);
    },
    identifyKey,
  };
}

/**
 * The `api_key` query parameter, for clients that cannot set headers (a browser `EventSource` or WebSocket). Only
 * the routes that document it read it: a key in a URL can end up in proxy logs and browser history.
 */
export function readQueryKey(url: string | undefined): string | undefined {
  const query = url?.indexOf('?') ?? -1;
  if (url === undefined || query === -1) return undefined;
  const key = new URLSearchParams(url.slice(query + 1)).get('api_key');
  return key ? key : undefined;
}

function readPresentedKey(req: IncomingMessage): string | undefined {
  const authorization = req.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1].trim();
  }
  const apiKey = req.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey.length > 0 ? apiKey.trim() : undefined;
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** `key_` and the first 12 hex digits of the key's SHA-256: stable per key, useless for recovering it. */
function identityOf(key: string): string {
  return `key_${createHash('sha256').update(`circuit-breaker-identity:${key}`, 'utf8').digest('hex').slice(0, 12)}`;
}
