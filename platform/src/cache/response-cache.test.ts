import { Keyv } from 'keyv';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../testing/index.ts';
import { createCache } from './cache.ts';
import { createResponseCache, responseCacheKey } from './response-cache.ts';

const policy = { ttlSeconds: 30, staleIfErrorSeconds: 600 };

function setup() {
  let clock = 1_000_000;
  const cached = createResponseCache(new Keyv(), () => clock);
  return { cached, advance: (seconds: number) => (clock += seconds * 1000) };
}

describe('response cache', () => {
  it('misses, then hits with its age, then refetches when expired', async () => {
    const { cached, advance } = setup();
    let calls = 0;
    const load = () => Promise.resolve(++calls);
    expect(await cached('k', policy, load)).toMatchObject({ value: 1, status: 'MISS' });
    advance(10);
    expect(await cached('k', policy, load)).toEqual({
      value: 1,
      status: 'HIT',
      ageSeconds: 10,
      freshForSeconds: 20,
    });
    advance(25);
    expect(await cached('k', policy, load)).toMatchObject({ value: 2, status: 'MISS' });
  });

  it('serves the expired copy as STALE when the supplier fails, and fails once it is too old', async () => {
    const { cached, advance } = setup();
    await cached('k', policy, () => Promise.resolve('first'));
    advance(60);
    const failing = () => Promise.reject(new Error('supplier down'));
    expect(await cached('k', policy, failing)).toMatchObject({
      value: 'first',
      status: 'STALE',
      ageSeconds: 60,
    });
    advance(600);
    await expect(cached('k', policy, failing)).rejects.toThrow('supplier down');
  });

  it('shares one supplier call between identical concurrent misses', async () => {
    const { cached } = setup();
    let calls = 0;
    const slow = () =>
      new Promise<number>((resolve) =>
        setTimeout(() => {
          resolve(++calls);
        }, 20),
      );
    const answers = await Promise.all(Array.from({ length: 10 }, () => cached('k', policy, slow)));
    expect(calls).toBe(1);
    expect(new Set(answers.map((answer) => answer.value))).toEqual(new Set([1]));
  });

  it('fresh: the fresh answer only, synchronously from memory, a promise from another store', async () => {
    let clock = 1_000_000;
    const memory = createResponseCache(
      createCache({ namespace: 't', logger: silentLogger() }),
      () => clock,
    );
    expect(memory.fresh('k', 30)).toBeUndefined();
    await memory('k', policy, () => Promise.resolve('answer'));
    clock += 10_000;
    expect(memory.fresh('k', 30)).toEqual({
      value: 'answer',
      status: 'HIT',
      ageSeconds: 10,
      freshForSeconds: 20,
    });
    clock += 20_000;
    expect(memory.fresh('k', 30)).toBeUndefined(); // expired: for `cached` to refetch

    const { cached: other } = setup();
    await other('k', policy, () => Promise.resolve('answer'));
    const found = other.fresh('k', 30);
    expect(found).toBeInstanceOf(Promise);
    expect(await found).toMatchObject({ value: 'answer', status: 'HIT' });
  });

  it('keys by canonical input: property order does not matter, values do', () => {
    expect(responseCacheKey('s', 'op', { a: 1, b: [1, 2] })).toBe(
      responseCacheKey('s', 'op', { b: [1, 2], a: 1 }),
    );
    expect(responseCacheKey('s', 'op', { a: 1 })).not.toBe(responseCacheKey('s', 'op', { a: 2 }));
    expect(responseCacheKey('s', 'op', { a: 1 })).not.toBe(
      responseCacheKey('s', 'other', { a: 1 }),
    );
  });
});
