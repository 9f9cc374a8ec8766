import { createKeyvNonBlocking } from '@keyv/redis';
import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';

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
      ? new Keyv({ namespace, store: lruStore(maxEntries) })
      : createKeyvNonBlocking(redisUrl, { namespace, connectionTimeout: 1_000 });
  if (redisUrl !== undefined) cache.namespace = namespace;
  cache.on('error', (err: unknown) => {
    logger.warn({ err }, 'cache unavailable; treating as a miss');
  });
  return cache;
}

/**
 * keyv's in-memory store contract is Map-like, and keyv keeps each entry's expiry inside the
 * (serialised) entry itself. lru-cache's `set` takes an options object where keyv passes a TTL
 * number, so adapt it rather than hand it over.
 */
function lruStore(max: number) {
  const lru = new LRUCache<string, string>({ max });
  return {
    get: (key: string) => lru.get(key),
    set: (key: string, value: string) => {
      lru.set(key, value);
    },
    delete: (key: string) => lru.delete(key),
    has: (key: string) => lru.has(key),
    clear: () => {
      lru.clear();
    },
  };
}

/** Builds a `<kind>:<id>` key; the namespace adds the service prefix. */
export function cacheKey(kind: string, id: string): string {
  return `${kind}:${id}`;
}
