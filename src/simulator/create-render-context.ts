import type { Chunk, RenderContext } from './protocols/protocol.js';
import { randomBase62 } from './random-id.js';

/** Templates kept in lean mode before the cache starts over (a template is one stream shape: id, model, index). */
const MAX_TEMPLATES = 512;

/**
 * Makes the per-request `RenderContext`. In lean mode ids and `created` are constant, so a token frame's bytes depend
 * only on (template, token): they are encoded to a Buffer once and reused by every stream, and the simulator spends
 * no time on JSON or UTF-8 encoding per token. Outside lean mode every response gets fresh ids.
 */
export function createRenderContextFactory(options: { lean: boolean }): (model: string) => RenderContext {
  const templates = new Map<string, Map<string, Buffer>>();
  const startedAt = Math.floor(Date.now() / 1000);

  const leanEncoder = (prefix: string, suffix: string) => {
    const key = `${prefix}\u0000${suffix}`;
    let frames = templates.get(key);
    if (frames === undefined) {
      if (templates.size >= MAX_TEMPLATES) templates.clear();
      frames = new Map();
      templates.set(key, frames);
    }
    const cache = frames;
    return (token: string): Chunk => {
      let bytes = cache.get(token);
      if (bytes === undefined) {
        bytes = Buffer.from(prefix + JSON.stringify(token) + suffix);
        cache.set(token, bytes);
      }
      return bytes;
    };
  };

  return (model) => ({
    model,
    created: options.lean ? startedAt : Math.floor(Date.now() / 1000),
    createId: options.lean ? (prefix) => `${prefix}simulatorlean0000000000` : (prefix) => prefix + randomBase62(24),
    createTokenEncoder: options.lean
      ? leanEncoder
      : (prefix, suffix) => (token) => prefix + JSON.stringify(token) + suffix,
  });
}
