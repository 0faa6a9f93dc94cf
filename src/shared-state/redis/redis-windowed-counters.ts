import { SharedStateUnavailableError } from '../shared-state-unavailable.error.js';
import { type WindowCount, WindowedCounters } from '../windowed-counters.js';
import type { RedisConnections } from './redis-connections.js';

/** INCR, and the window's expiry set by the first increment (or repaired if missing), atomically. */
const INCREMENT = `
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}`;

const READ = `
local count = redis.call('GET', KEYS[1])
if not count then return {0, 0} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = 0 end
return {tonumber(count), ttl}`;

/** WindowedCounters in Redis: every instance counts in the same window. */
export class RedisWindowedCounters extends WindowedCounters {
  constructor(private readonly redis: RedisConnections) {
    super();
  }

  async increment(key: string, windowMs: number): Promise<WindowCount> {
    return this.run(INCREMENT, key, String(Math.max(1, Math.ceil(windowMs))));
  }

  async read(key: string): Promise<WindowCount> {
    return this.run(READ, key);
  }

  async reset(key: string): Promise<void> {
    try {
      await this.redis.commands.del(counterKey(key));
    } catch (error) {
      throw new SharedStateUnavailableError(error);
    }
  }

  private async run(script: string, key: string, ...args: string[]): Promise<WindowCount> {
    let result: unknown;
    try {
      result = await this.redis.commands.eval(script, 1, counterKey(key), ...args);
    } catch (error) {
      throw new SharedStateUnavailableError(error);
    }
    const [count, resetInMs] = result as [number, number];
    return { count, resetInMs };
  }
}

function counterKey(key: string): string {
  return `counter:${key}`;
}
