// The queue's Redis must keep what it acknowledged: the service refuses, at start, a Redis with
// AOF off or a maxmemory-policy that may evict — and runs on one with AOF and noeviction. Real
// redis-server processes, one of each configuration; the check on its own, then the service and
// the worker process as they start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@manifold/platform/config';
import { startRedisServer, type RedisServer } from '@manifold/platform/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runUntilExit, startService } from '../../test/e2e/support/processes.ts';
import { createEngine } from '../src/engine/queues.ts';
import { checkQueueRedis } from '../src/engine/redis-check.ts';
import { urlOfUserWithout, writeWebhooksFile } from './support.ts';

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

  it('refuses, saying so, a Redis that answers but will not run INFO for its user', async () => {
    // An ACL user with every command but INFO (as `-@dangerous` leaves it): the engine's ready
    // says which command was refused, not that nothing answered.
    const url = await urlOfUserWithout(connect(withoutAof.url), withoutAof.url, 'info');
    const engine = createEngine({ url, prefix: '{redis-check-acl}' });
    try {
      const error = await engine.ready(10_000).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        expect.stringMatching(/refused INFO \(NOPERM/),
      ]);
    } finally {
      await engine.close();
    }
  });
});

describe('the service and the worker at start', () => {
  const env = (url: string) => ({
    WEBHOOKS_REDIS_URL: url,
    WEBHOOKS_FILE: writeWebhooksFile({
      sources: { github: { scheme: 'github', secrets: ['GITHUB_SECRET'] } },
      destinations: { chat: { url: 'http://127.0.0.1:9/events' } },
      routes: [{ source: 'github', to: ['chat'] }],
    }),
    WEBHOOKS_QUEUE_PREFIX: '{webhooks-start-check}',
    GITHUB_SECRET: 'gh-start',
  });

  it.each(['webhooks/src/main.ts', 'webhooks/src/worker.ts'])(
    '%s exits 1 naming the problem on a Redis with AOF off',
    async (entry) => {
      const { code, stderr } = await runUntilExit(entry, env(withoutAof.url));
      expect(code).toBe(1);
      expect(stderr).toMatch(/has AOF off/);
    },
  );

  it.each(['webhooks/src/main.ts', 'webhooks/src/worker.ts'])(
    '%s exits 1 naming the problem on a Redis with AOF on that may evict',
    async (entry) => {
      await connect(withAof.url).config('SET', 'maxmemory-policy', 'allkeys-lru');
      const { code, stderr } = await runUntilExit(entry, env(withAof.url));
      expect(code).toBe(1);
      expect(stderr).toMatch(/maxmemory-policy allkeys-lru/);
    },
  );

  it('starts and answers /healthz on a Redis with AOF and noeviction (the same configuration otherwise)', async () => {
    await connect(withAof.url).config('SET', 'maxmemory-policy', 'noeviction');
    const service = await startService({
      name: 'webhooks',
      entry: 'webhooks/src/main.ts',
      port: await freePort(),
      env: { ...env(withAof.url), WEBHOOKS_WORKERS: 'false' },
      readyPath: '/healthz',
      readyTimeoutMs: 30_000,
    });
    // Ready means past the check; /healthz reads the queue on that Redis.
    const health = await fetch(`${service.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      queues: { deliveries: { waiting: 0, failed: 0 } },
    });
    expect(service.child.exitCode).toBeNull();
    await service.stop();
  });
});
