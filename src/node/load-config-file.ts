import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../core/errors/request-errors.js';
import type { RouterConfigInput } from '../core/router/config-schema.js';

/**
 * Reads a YAML or JSON config file into the raw config object. A file that parses as JSON never loads the YAML
 * parser (~8 MB of idle RSS); anything else goes to it (JSON is YAML, so its errors cover both).
 * `${VAR}` references are left as written: `createRouter` interpolates the router sections and
 * `resolveServerConfig` the `server` section, each with the environment it is given.
 * @see https://yaml.org/spec/1.2.2/
 */
export async function loadConfigFile(path: string): Promise<RouterConfigInput> {
  const absolute = resolve(path);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist' : String(error);
    throw new ConfigError(`Cannot read config file ${absolute}: ${reason}`, { cause: error });
  }
  let value: unknown;
  try {
    value = parseJsonObject(text) ?? (await import('yaml')).parse(text, { prettyErrors: true });
  } catch (error) {
    throw new ConfigError(`Config file ${absolute} is not valid YAML or JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`Config file ${absolute} must contain a mapping (providers:, models:, server:, …)`);
  }
  return value as RouterConfigInput;
}

/** The file as JSON when it is a JSON object, else undefined (the YAML parser then reads it, and reports errors). */
function parseJsonObject(text: string): object | undefined {
  if (!text.trimStart().startsWith('{')) return undefined;
  try {
    return JSON.parse(text) as object;
  } catch {
    return undefined;
  }
}
