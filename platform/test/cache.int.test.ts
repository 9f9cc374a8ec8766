import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createCache, NOT_IN_MEMORY, peekInMemory } from '../src/cache/cache.ts';
import { requireRedis, silentLogger } from '../src/testing/index.ts';

describe('createCache', () => {
  const opened: { disconnect(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(opened.map((cache) => cache.disconnect().catch(() => undefined)));
  });

  it('shares entries through Redis between two caches of the same service', async () => {
    const redisUrl = await requireRedis();
    const namespace = `platform-test-${randomUUID()}`;
    const writer = createCache({ namespace, redisUrl, logger: silentLogger() });
    const reader = createCache({ namespace, redisUrl, logger: silentLogger() });
    opened.push(writer, reader);
    await writer.set('order:1', { total: '12.00' }, 10_000);
    expect(await reader.get('order:1')).toEqual({ total: '12.00' });
  });

  it('keeps services apart by namespace', async () => {
    const redisUrl = await requireRedis();
    const a = createCache({ namespace: `a-${randomUUID()}`, redisUrl, logger: silentLogger() });
    const b = createCache({ namespace: `b-${randomUUID()}`, redisUrl, logger: silentLogger() });
    opened.push(a, b);
    await a.set('k', 'from-a');
    expect(await b.get('k')).toBeUndefined();
  });

  it('treats a Redis outage as a miss, never an error', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused.
    const cache = createCache({
      namespace: 'down',
      redisUrl: 'redis://127.0.0.1:1',
      logger: silentLogger(),
    });
    opened.push(cache);
    await expect(cache.set('k', 'v')).resolves.not.toThrow();
    await expect(cache.get('k')).resolves.toBeUndefined();
  });

  it('works in memory when no Redis is configured', async () => {
    const cache = createCache({ namespace: 'mem', logger: silentLogger() });
    await cache.set('k', 1);
    expect(await cache.get('k')).toBe(1);
  });

  it('hands every in-memory reader the same frozen entry: no reader can change what the next one gets', async () => {
    const cache = createCache({ namespace: 'frozen', logger: silentLogger() });
    await cache.set('order', { lines: [{ sku: 'A', quantity: 1 }] });
    const first = await cache.get<{ lines: { quantity: number }[] }>('order');
    expect(() => {
      first!.lines[0]!.quantity = 99;
    }).toThrow(TypeError);
    expect(await cache.get('order')).toEqual({ lines: [{ sku: 'A', quantity: 1 }] });
  });

  it('reads an in-memory cache synchronously with the same answer as get, and defers to get for Redis', async () => {
    const memory = createCache({ namespace: 'peek', logger: silentLogger() });
    await memory.set('fresh', { a: 1 });
    await memory.set('brief', 'x', 20);
    expect(peekInMemory(memory, 'fresh')).toEqual(await memory.get('fresh'));
    expect(peekInMemory(memory, 'absent')).toBeUndefined();
    expect(peekInMemory(memory, 'brief')).toBe('x');
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(peekInMemory(memory, 'brief')).toBeUndefined();
    const redis = createCache({
      namespace: 'peek',
      redisUrl: await requireRedis(),
      logger: silentLogger(),
    });
    opened.push(redis);
    expect(peekInMemory(redis, 'fresh')).toBe(NOT_IN_MEMORY);
  });

  it('keeps at most maxEntries in memory, dropping the least recently used', async () => {
    const cache = createCache({ namespace: 'lru', logger: silentLogger(), maxEntries: 2 });
    await cache.set('a', 1);
    await cache.set('b', 2);
    await cache.get('a'); // a is now more recent than b
    await cache.set('c', 3);
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe(1);
    expect(await cache.get('c')).toBe(3);
  });

  it('keeps an in-memory entry for its TTL, and not longer', async () => {
    const cache = createCache({ namespace: 'ttl', logger: silentLogger() });
    await cache.set('k', { v: 1 }, 60);
    expect(await cache.get('k')).toEqual({ v: 1 });
    await new Promise((resolve) => setTimeout(resolve, 90));
    expect(await cache.get('k')).toBeUndefined();
  });
});
