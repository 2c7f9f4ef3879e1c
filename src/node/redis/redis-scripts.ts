import type { Redis } from 'ioredis';

/**
 * Writes a breaker if it is newer than the stored one, and only then publishes it, all in one step so that two
 * instances writing at once cannot both win. "Newer" is the version `(generation, updatedAt)`: the generation
 * counts status changes (closed → open → half-open → closed…), so a closed value still counting requests from
 * before an opening can never undo that opening, whatever the clocks say; `updatedAt` orders values of one
 * generation.
 *
 * KEYS: breaker hash, index set. ARGV: key, generation, updatedAt, value JSON, ttl ms, channel, message.
 * Returns 1 when written, 0 when the stored value is as new or newer.
 */
const setBreakerIfNewer = `
local current = redis.call('HMGET', KEYS[1], 'g', 'u')
local generation = tonumber(ARGV[2])
local updatedAt = tonumber(ARGV[3])
if current[1] then
  local storedGeneration = tonumber(current[1])
  local storedUpdatedAt = tonumber(current[2])
  if storedGeneration > generation or (storedGeneration == generation and storedUpdatedAt >= updatedAt) then
    return 0
  end
end
redis.call('HSET', KEYS[1], 'g', ARGV[2], 'u', ARGV[3], 'v', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('PUBLISH', ARGV[6], ARGV[7])
return 1
`;

/**
 * The sliding-window limit check of `LimitStore.consume`: reads every window's counter, weighs them, and adds
 * `amount` to the first only if the total stays within `limit`. Counts come back as strings because Redis
 * truncates Lua numbers to integers (costs are fractional).
 *
 * KEYS: one counter per window, current first. ARGV: amount, limit, expiresAt of the first window, then one
 * weight per window. Returns `{allowed (0|1), count1, count2, …}`.
 */
const consumeLimit = `
local amount = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local total = 0
local result = {0}
for index, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  total = total + count * tonumber(ARGV[3 + index])
  result[index + 1] = tostring(count)
end
if total + amount <= limit then
  redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
  redis.call('PEXPIREAT', KEYS[1], ARGV[3])
  result[1] = 1
end
return result
`;

/**
 * Adds to a counter and sets its expiry in one step (an INCRBYFLOAT whose PEXPIREAT were lost would live forever).
 * KEYS: counter. ARGV: amount, expiresAt.
 */
const addToLimit = `
redis.call('INCRBYFLOAT', KEYS[1], ARGV[1])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 1
`;

/** The scripts as typed client commands (ioredis sends EVALSHA, and EVAL the first time on each connection). */
export interface ScriptedRedis {
  cbSetBreakerIfNewer(...args: [string, string, ...(string | number)[]]): Promise<number>;
  cbConsumeLimit(numberOfKeys: number, ...args: (string | number)[]): Promise<(number | string)[]>;
  cbAddToLimit(key: string, amount: string, expiresAt: number): Promise<number>;
}

/** The same commands queued on a pipeline. */
export interface ScriptedPipeline {
  cbSetBreakerIfNewer(...args: [string, string, ...(string | number)[]]): unknown;
}

/** Registers the scripts on a client (idempotent) and returns it with their commands typed. */
export function defineRedisScripts(client: Redis): Redis & ScriptedRedis {
  const scripted = client as Redis & ScriptedRedis;
  if (typeof scripted.cbSetBreakerIfNewer !== 'function') {
    client.defineCommand('cbSetBreakerIfNewer', { numberOfKeys: 2, lua: setBreakerIfNewer });
    client.defineCommand('cbConsumeLimit', { lua: consumeLimit });
    client.defineCommand('cbAddToLimit', { numberOfKeys: 1, lua: addToLimit });
  }
  return scripted;
}
