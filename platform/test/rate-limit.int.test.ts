import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createRateLimiter, type RateLimiter } from '../src/rate-limit/limiter.ts';
import {
  connectRateLimitRedis,
  type RateLimitRedisClient,
} from '../src/rate-limit/redis-client.ts';
import {
  requireRedis,
  silentLogger,
  startRedisServer,
  type RedisServer,
} from '../src/testing/index.ts';

const opened: RateLimiter[] = [];
const privateServers: RedisServer[] = [];
afterAll(async () => {
  await Promise.all(opened.map((limiter) => limiter.close().catch(() => undefined)));
  await Promise.all(privateServers.map((server) => server.stop()));
});

/** A replica's limiter on its own connection to `url`, once that connection is up. */
async function replica(
  url: string,
  namespace: string,
  whenStoreDown: 'open' | 'closed' = 'open',
): Promise<{ limiter: RateLimiter; redis: RateLimitRedisClient }> {
  const redis = connectRateLimitRedis(url, silentLogger());
  const limiter = createRateLimiter({ namespace, logger: silentLogger(), redis, whenStoreDown });
  opened.push(limiter);
  await vi.waitFor(
    () => {
      expect(redis.isReady).toBe(true);
    },
    { timeout: 5_000 },
  );
  return { limiter, redis };
}

const POLICY = { name: 'partner', points: 5, windowSeconds: 60 };

describe('the rate limiter over Redis, shared by replicas', () => {
  it('lets exactly N requests through across two replicas, refuses the N+1th, and leaves another client alone', async () => {
    const url = await requireRedis();
    const namespace = `rl-test-${randomUUID()}`;
    const [a, b] = [await replica(url, namespace), await replica(url, namespace)];
    const decisions = [];
    for (let i = 0; i < POLICY.points; i++)
      decisions.push(await (i % 2 === 0 ? a : b).limiter.consume('client:acme', POLICY));
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, true, true]);
    expect(decisions.map((decision) => decision.remaining)).toEqual([4, 3, 2, 1, 0]);
    expect(decisions.every((decision) => !decision.unchecked)).toBe(true);

    const refused = await b.limiter.consume('client:acme', POLICY);
    expect(refused).toMatchObject({ allowed: false, remaining: 0, unchecked: false });
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(POLICY.windowSeconds);

    expect(await a.limiter.consume('client:other', POLICY)).toMatchObject({
      allowed: true,
      remaining: 4,
    });

    // Its window used up, the client is refused from each replica's memory until the window
    // ends: no Redis round trip — b refuses it even with its connection closed.
    await b.redis.close();
    expect(await b.limiter.consume('client:acme', POLICY)).toMatchObject({
      allowed: false,
      unchecked: false,
    });
  });

  it('counts a cost of several points at once (the GraphQL cost budget)', async () => {
    const url = await requireRedis();
    const { limiter } = await replica(url, `rl-test-${randomUUID()}`);
    const budget = { name: 'cost', points: 100, windowSeconds: 60 };
    expect(await limiter.consume('user:1', budget, 70)).toMatchObject({
      allowed: true,
      remaining: 30,
    });
    expect((await limiter.consume('user:1', budget, 40)).allowed).toBe(false);
  });
});

describe('the rate limiter when Redis is down', () => {
  it('fails open by default: requests go through unchecked, and counting resumes when Redis is back', async () => {
    const server = await startRedisServer();
    privateServers.push(server);
    const { limiter, redis } = await replica(server.url, `rl-test-${randomUUID()}`);
    expect((await limiter.consume('client:acme', POLICY)).unchecked).toBe(false);

    await server.stop();
    await vi.waitFor(() => {
      expect(redis.isReady).toBe(false);
    });
    for (let i = 0; i < POLICY.points + 2; i++)
      expect(await limiter.consume('client:acme', POLICY)).toMatchObject({
        allowed: true,
        unchecked: true,
      });

    await server.start();
    await vi.waitFor(
      () => {
        expect(redis.isReady).toBe(true);
      },
      { timeout: 10_000 },
    );
    // A fresh server: the count starts again, and is kept again.
    expect(await limiter.consume('client:acme', POLICY)).toMatchObject({
      allowed: true,
      unchecked: false,
      remaining: POLICY.points - 1,
    });
  });

  it('fails closed when configured: STORE_UNAVAILABLE (503) with a Retry-After', async () => {
    const server = await startRedisServer();
    privateServers.push(server);
    const { limiter, redis } = await replica(server.url, `rl-test-${randomUUID()}`, 'closed');
    expect((await limiter.consume('client:acme', POLICY)).allowed).toBe(true);

    await server.stop();
    await vi.waitFor(() => {
      expect(redis.isReady).toBe(false);
    });
    const refusal = await limiter.consume('client:acme', POLICY).then(
      () => undefined,
      (error: unknown) => error as { code: string; status: number; details: unknown },
    );
    expect(refusal?.code).toBe('STORE_UNAVAILABLE');
    expect(refusal?.status).toBe(503);
    expect(refusal?.details).toMatchObject({ retryAfterSeconds: 1 });
  });
});

describe('the rate limiter in memory', () => {
  it('counts per key in the process when no Redis is configured', async () => {
    const limiter = createRateLimiter({ namespace: 'memory-test', logger: silentLogger() });
    expect(limiter.store).toBe('memory');
    const policy = { name: 'burst', points: 2, windowSeconds: 1 };
    expect((await limiter.consume('ip:127.0.0.1', policy)).allowed).toBe(true);
    expect((await limiter.consume('ip:127.0.0.1', policy)).allowed).toBe(true);
    expect(await limiter.consume('ip:127.0.0.1', policy)).toMatchObject({
      allowed: false,
      retryAfterSeconds: 1,
    });
    expect((await limiter.consume('ip:127.0.0.2', policy)).allowed).toBe(true);
  });
});
