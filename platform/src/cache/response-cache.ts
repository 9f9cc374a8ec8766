import { createHash } from 'node:crypto';
import type { Keyv } from 'keyv';
import { NOT_IN_MEMORY, peekInMemory } from './cache.ts';
import { manifoldMeter } from '../telemetry/meter.ts';
import { setActiveSpanAttributes } from '../telemetry/spans.ts';

export type CacheStatus = 'HIT' | 'MISS' | 'STALE';

export interface CachedAnswer<T> {
  value: T;
  status: CacheStatus;
  /** Seconds since the answer was fetched from the supplier. */
  ageSeconds: number;
  /** Seconds it stays fresh (0 when stale). */
  freshForSeconds: number;
}

interface Entry<T> {
  value: T;
  storedAt: number;
}

export interface CachePolicy {
  ttlSeconds: number;
  staleIfErrorSeconds: number;
}

/** Sorted keys at every level, so `{a,b}` and `{b,a}` are one cache key. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return value === undefined ? 'null' : JSON.stringify(value);
}

export const responseCacheKey = (service: string, operation: string, input: unknown): string =>
  `response:${service}:${operation}:${createHash('sha256').update(canonical(input)).digest('base64url')}`;

/**
 * Safe-operation answers in the shared cache. Fresh → HIT; expired → refetch (MISS), or, when the
 * supplier fails, the expired copy marked STALE (stale-if-error). Identical concurrent misses in
 * this process share one supplier call. `fresh` only looks (for answers served ahead of routing).
 */
export function createResponseCache(cache: Keyv, now: () => number = Date.now) {
  const inFlight = new Map<string, Promise<unknown>>();
  const lookups = manifoldMeter().createCounter('manifold.cache.lookups', {
    unit: '{lookup}',
    description:
      'Response cache lookups by result: HIT (fresh), MISS (fetched), STALE (served after a failed fetch).',
  });
  // Every answer says where it came from: a counter by result, and the request's span.
  const noted = <T>(answer: CachedAnswer<T>): CachedAnswer<T> => {
    lookups.add(1, { result: answer.status });
    setActiveSpanAttributes({ 'manifold.cache.result': answer.status });
    return answer;
  };

  async function cached<T>(
    key: string,
    policy: CachePolicy,
    load: () => Promise<T>,
  ): Promise<CachedAnswer<T>> {
    return noted(await lookup(key, policy, load));
  }
  const hitOf = <T>(entry: Entry<T> | undefined, ttlSeconds: number) => {
    if (!entry) return undefined;
    const ageSeconds = Math.max(0, Math.floor((now() - entry.storedAt) / 1000));
    if (ageSeconds >= ttlSeconds) return undefined;
    return noted<T>({
      value: entry.value,
      status: 'HIT',
      ageSeconds,
      freshForSeconds: ttlSeconds - ageSeconds,
    });
  };
  /**
   * The fresh answer under `key`, counted as a HIT like `cached` counts it, or undefined (not
   * counted: whoever then calls `cached` counts what that finds). Synchronous for an in-memory
   * cache — no promise, no microtask — for answers served ahead of routing; a promise otherwise.
   */
  function fresh<T>(
    key: string,
    ttlSeconds: number,
  ): CachedAnswer<T> | undefined | Promise<CachedAnswer<T> | undefined> {
    const inMemory = peekInMemory<Entry<T>>(cache, key);
    if (inMemory !== NOT_IN_MEMORY) return hitOf(inMemory, ttlSeconds);
    return cache.get<Entry<T>>(key).then((entry) => hitOf(entry ?? undefined, ttlSeconds));
  }
  return Object.assign(cached, { fresh });

  async function lookup<T>(
    key: string,
    { ttlSeconds, staleIfErrorSeconds }: CachePolicy,
    load: () => Promise<T>,
  ): Promise<CachedAnswer<T>> {
    const entry = (await cache.get<Entry<T>>(key)) ?? undefined;
    const ageSeconds = entry ? Math.max(0, Math.floor((now() - entry.storedAt) / 1000)) : 0;
    if (entry && ageSeconds < ttlSeconds)
      return {
        value: entry.value,
        status: 'HIT',
        ageSeconds,
        freshForSeconds: ttlSeconds - ageSeconds,
      };

    let pending = inFlight.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = (async () => {
        const value = await load();
        await cache.set(
          key,
          { value, storedAt: now() } satisfies Entry<T>,
          (ttlSeconds + staleIfErrorSeconds) * 1000,
        );
        return value;
      })().finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    try {
      return { value: await pending, status: 'MISS', ageSeconds: 0, freshForSeconds: ttlSeconds };
    } catch (error) {
      if (entry && ageSeconds < ttlSeconds + staleIfErrorSeconds)
        return { value: entry.value, status: 'STALE', ageSeconds, freshForSeconds: 0 };
      throw error;
    }
  }
}
