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
 * The oldest Redis the service runs on: an inbound event's receipt is claimed with `SET … NX GET`
 * (engine/claim-and-add.ts), which Redis accepts from 7.0 on (older ones answer a syntax error, and
 * every inbound event would be refused 503).
 */
export const MIN_REDIS_MAJOR = 7;

/** The problem with a Redis of this `redis_version` (INFO server), or undefined if it is recent enough. */
export function versionProblem(version: string | undefined, shown: string): string | undefined {
  const major = Number(/^(\d+)\./.exec(version ?? '')?.[1]);
  if (major >= MIN_REDIS_MAJOR) return undefined;
  return `WEBHOOKS_REDIS_URL: Redis at ${shown} is version ${version ?? 'unknown'}: the webhooks service needs ${MIN_REDIS_MAJOR}.0 or later`;
}

/**
 * Refuses (ConfigError, the service does not start) a Redis that could lose or evict queued
 * events — AOF off, or a maxmemory-policy other than noeviction — or one older than 7.0. Reads
 * INFO (allowed where CONFIG is renamed away, as on managed Redis); `appendfsync` only if CONFIG
 * GET answers.
 */
export async function checkQueueRedis(redis: Redis, url: string): Promise<RedisDurability> {
  const where = new URL(url);
  const shown = `${where.hostname}:${where.port || '6379'}`;
  const persistence = await redis.info('persistence');
  const memory = await redis.info('memory');
  const problems: string[] = [];
  const version = versionProblem(field(await redis.info('server'), 'redis_version'), shown);
  if (version !== undefined) problems.push(version);
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
