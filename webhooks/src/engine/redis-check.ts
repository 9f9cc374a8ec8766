import { ConfigError } from '@manifold/platform/config';
import type { Redis } from 'ioredis';

/** What the queue's Redis must be: nothing acknowledged may vanish (AOF) or be evicted (noeviction). */
export interface RedisDurability {
  /** `appendfsync`: `always` survives a power loss too; `everysec` a Redis crash, not a machine's. */
  appendfsync: string | undefined;
}

const field = (info: string, name: string) =>
  new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();

/**
 * Refuses (ConfigError, the service does not start) a Redis that could lose or evict queued
 * events: AOF off, or a maxmemory-policy other than noeviction. Reads INFO (allowed where CONFIG
 * is renamed away, as on managed Redis); `appendfsync` only if CONFIG GET answers.
 */
export async function checkQueueRedis(redis: Redis, url: string): Promise<RedisDurability> {
  const where = new URL(url);
  const shown = `${where.hostname}:${where.port || '6379'}`;
  const persistence = await redis.info('persistence');
  const memory = await redis.info('memory');
  const problems: string[] = [];
  if (field(persistence, 'aof_enabled') !== '1')
    problems.push(
      `WEBHOOKS_REDIS_URL: Redis at ${shown} has AOF off: accepted events would be lost on a restart. Start it with --appendonly yes (or CONFIG SET appendonly yes), or point WEBHOOKS_REDIS_URL at one that has it`,
    );
  const policy = field(memory, 'maxmemory_policy');
  if (policy !== 'noeviction')
    problems.push(
      `WEBHOOKS_REDIS_URL: Redis at ${shown} has maxmemory-policy ${policy ?? 'unknown'}: queued events could be evicted. Set --maxmemory-policy noeviction`,
    );
  if (problems.length > 0) throw new ConfigError(problems);
  let appendfsync: string | undefined;
  try {
    const answer = await redis.config('GET', 'appendfsync');
    appendfsync = answer[1];
  } catch {
    appendfsync = undefined;
  }
  return { appendfsync };
}
