import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createCache } from '@manifold/platform/cache';
import { createClaims } from '../src/http/claims.ts';
import { requireRedis, silentLogger } from '@manifold/platform/testing';

describe('createClaims', () => {
  const opened: { disconnect(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((cache) => cache.disconnect().catch(() => undefined)));
  });
  const redisPair = async () => {
    const redisUrl = await requireRedis();
    const namespace = `claims-test-${randomUUID()}`;
    const caches = [1, 2].map(() => createCache({ namespace, redisUrl, logger: silentLogger() }));
    opened.push(...caches);
    return caches.map((cache) => createClaims(cache, silentLogger()));
  };

  it('grants a key to exactly one of many concurrent claimants across two replicas (Redis)', async () => {
    const [a, b] = await redisPair();
    const granted = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a! : b!).claim('order-1', 5_000)),
    );
    expect(granted.filter(Boolean)).toHaveLength(1);
  });

  it('grants the key again once released, or once its time is up (Redis)', async () => {
    const [a, b] = await redisPair();
    expect(await a!.claim('k', 5_000)).toBe(true);
    expect(await b!.claim('k', 5_000)).toBe(false);
    await a!.release('k');
    expect(await b!.claim('k', 50)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(await a!.claim('k', 5_000)).toBe(true);
  });

  it('refuses with STORE_UNAVAILABLE when Redis cannot be reached, rather than risk a duplicate', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused.
    const cache = createCache({
      namespace: 'down',
      redisUrl: 'redis://127.0.0.1:1',
      logger: silentLogger(),
    });
    opened.push(cache);
    await expect(createClaims(cache, silentLogger()).claim('k', 1_000)).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
  });

  it('is exclusive within the process when the cache is in memory', async () => {
    const claims = createClaims(
      createCache({ namespace: 'mem', logger: silentLogger() }),
      silentLogger(),
    );
    const granted = await Promise.all([1, 2, 3].map(() => claims.claim('k', 5_000)));
    expect(granted.filter(Boolean)).toHaveLength(1);
    await claims.release('k');
    expect(await claims.claim('k', 5_000)).toBe(true);
  });
});
