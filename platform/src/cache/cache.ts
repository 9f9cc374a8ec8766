import { createKeyvNonBlocking } from '@keyv/redis';
import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { createRepeatedFailureLog } from '../logging/repeated-failure.ts';

export interface CacheOptions {
  /** Key prefix: `<service>` — keys end up `<service>:<kind>:<id>`. */
  namespace: string;
  /** Redis connection; unset = in-memory. */
  redisUrl?: string | undefined;
  /** Where warnings about an unreachable Redis go. */
  logger: Logger;
  /**
   * In memory only: the most entries kept; the least recently used go first. Keyv drops expired
   * entries only when they are read again, so without a bound a long-running process would keep
   * every answer it ever cached. @default 50000
   */
  maxEntries?: number;
}

/**
 * One keyv per service. With Redis it is non-blocking: a Redis outage turns reads into misses
 * and writes into no-ops, never an error to the client (it is logged). In memory it is bounded
 * (LRU), so it cannot grow without end.
 */
export function createCache({
  namespace,
  redisUrl,
  logger,
  maxEntries = 50_000,
}: CacheOptions): Keyv {
  const cache =
    redisUrl === undefined
      ? inMemoryCache(namespace, maxEntries)
      : createKeyvNonBlocking(redisUrl, { namespace, connectionTimeout: 1_000 });
  if (redisUrl !== undefined) cache.namespace = namespace;
  // Redis down means an error per cache call: log the outage once, then a count per minute.
  const outage = createRepeatedFailureLog(logger, {
    message: 'cache unavailable; treating as a miss',
  });
  cache.on('error', (err: unknown) => {
    outage.failed(err);
  });
  (cache.store as { on?: (event: string, listener: () => void) => void }).on?.('connect', () => {
    outage.recovered();
  });
  return cache;
}

/**
 * In memory, entries are kept as the objects themselves: serialising every entry to JSON and back
 * (keyv's default, which Redis needs) was most of what a cache hit cost. They are frozen instead,
 * so no reader can change what the next one gets — the guarantee a copy from Redis gives.
 */
function inMemoryCache(namespace: string, maxEntries: number): Keyv {
  const cache = new Keyv({ namespace, store: lruStore(maxEntries) });
  cache.serialize = undefined;
  cache.deserialize = undefined;
  return cache;
}

/**
 * keyv's in-memory store contract is Map-like, and keyv keeps each entry's expiry inside the
 * entry itself. lru-cache's `set` takes an options object where keyv passes a TTL
 * number, so adapt it rather than hand it over.
 */
function lruStore(max: number) {
  const lru = new LRUCache<string, object>({ max });
  return {
    [IN_MEMORY]: true,
    get: (key: string) => lru.get(key),
    set: (key: string, value: object) => {
      lru.set(key, deepFreeze(value));
    },
    delete: (key: string) => lru.delete(key),
    has: (key: string) => lru.has(key),
    clear: () => {
      lru.clear();
    },
  };
}

const IN_MEMORY = Symbol('manifold.in-memory-store');

/** What `peekInMemory` answers for a cache that is not in memory (Redis): ask it with `get`. */
export const NOT_IN_MEMORY = Symbol('not in memory');

/**
 * Reads an in-memory cache synchronously — no promise, no microtask — for the hottest paths (a
 * cached answer served before routing). Same result as `await cache.get(key)`; for a cache that
 * is not in memory it answers NOT_IN_MEMORY and the caller uses `get`.
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- callers name the entry's shape, as with keyv's own get<T>
export function peekInMemory<T>(cache: Keyv, key: string): T | undefined | typeof NOT_IN_MEMORY {
  const store = cache.store as { [IN_MEMORY]?: true; get(key: string): unknown };
  if (store[IN_MEMORY] !== true) return NOT_IN_MEMORY;
  // keyv keeps `{ value, expires }` under its prefixed key; an expired entry is a miss.
  const entry = store.get(cache._getKeyPrefix(key)) as { value: T; expires?: number } | undefined;
  if (entry === undefined || (typeof entry.expires === 'number' && Date.now() > entry.expires))
    return undefined;
  return entry.value;
}

/** Freezes `value` and everything in it, so a reader cannot change what the next reader gets. */
function deepFreeze<T>(value: T): T {
  if (
    value !== null &&
    typeof value === 'object' &&
    !ArrayBuffer.isView(value) &&
    !Object.isFrozen(value)
  ) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** Builds a `<kind>:<id>` key; the namespace adds the service prefix. */
export function cacheKey(kind: string, id: string): string {
  return `${kind}:${id}`;
}
