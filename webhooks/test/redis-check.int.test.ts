// The queue's Redis must keep what it acknowledged: the service refuses, at start, a Redis with
// AOF off or a maxmemory-policy that may evict — and runs on one with AOF and noeviction. Real
// redis-server processes, one of each configuration.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@manifold/platform/config';
import { startRedisServer, type RedisServer } from '@manifold/platform/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkQueueRedis } from '../src/engine/redis-check.ts';

const aofDir = mkdtempSync(join(tmpdir(), 'redis-check-aof-'));
let withoutAof: RedisServer;
let withAof: RedisServer;
const clients: Redis[] = [];
const connect = (url: string) => {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  clients.push(client);
  return client;
};
beforeAll(async () => {
  withoutAof = await startRedisServer();
  withAof = await startRedisServer({ appendOnlyDir: aofDir });
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await withoutAof.stop();
  await withAof.stop();
  rmSync(aofDir, { recursive: true, force: true });
});

describe('the queue Redis check', () => {
  it('refuses a Redis with AOF off', async () => {
    const error = await checkQueueRedis(connect(withoutAof.url), withoutAof.url).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as ConfigError).problems)).toMatch(/has AOF off/);
  });

  it('accepts AOF with noeviction, and refuses the same Redis once it may evict', async () => {
    const redis = connect(withAof.url);
    expect(await checkQueueRedis(redis, withAof.url)).toEqual({ appendfsync: 'always' });
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const error = await checkQueueRedis(redis, withAof.url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect(String((error as ConfigError).problems)).toMatch(/maxmemory-policy allkeys-lru/);
  });
});
