import { ConfigError } from '../errors/request-errors.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Replaces `${VAR}` (and `${VAR:-default}`) in every string of a config value. A variable that is unset and has
 * no default becomes an empty string for `api_key` (so the provider reports "no key" with a hint only when it is
 * used) and an error elsewhere.
 */
export function interpolateEnv<T>(value: T, env: Environment, path = ''): T {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_match, name: string, fallback?: string) => {
      const resolved = env[name];
      if (resolved !== undefined && resolved !== '') return resolved;
      if (fallback !== undefined) return fallback;
      if (path.endsWith('api_key')) return '';
      throw new ConfigError(`Environment variable ${name} is not set (used at ${path || 'config'})`, { param: path });
    }) as T;
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnv(item, env, `${path}.${index}`)) as T;
  if (value && typeof value === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value))
      result[key] = interpolateEnv(inner, env, path ? `${path}.${key}` : key);
    return result as T;
  }
  return value;
}

/** The process environment where there is one (Node, Bun, Deno), an empty one in a browser. */
export function defaultEnvironment(): Environment {
  const processLike = (globalThis as { process?: { env?: Environment } }).process;
  return processLike?.env ?? {};
}
