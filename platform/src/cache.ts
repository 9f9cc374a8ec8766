import { createKeyvNonBlocking } from '@keyv/redis';
import { Keyv } from 'keyv';
import type { Logger } from 'pino';

export interface CacheOptions {
  /** Key prefix: `<service>` — keys end up `<service>:<kind>:<id>`. */
  namespace: string;
  /** Redis connection; unset = in-memory. */
  redisUrl?: string | undefined;
  logger: Logger;
}

/**
 * One keyv per service. With Redis it is non-blocking: a Redis outage turns reads into misses
 * and writes into no-ops, never an error to the client (it is logged).
 */
export function createCache({ namespace, redisUrl, logger }: CacheOptions): Keyv {
  const cache =
    redisUrl === undefined
      ? new Keyv({ namespace })
      : createKeyvNonBlocking(redisUrl, { namespace, connectionTimeout: 1_000 });
  if (redisUrl !== undefined) cache.namespace = namespace;
  cache.on('error', (err: unknown) => {
    logger.warn({ err }, 'cache unavailable; treating as a miss');
  });
  return cache;
}

/** Builds a `<kind>:<id>` key; the namespace adds the service prefix. */
export function cacheKey(kind: string, id: string): string {
  return `${kind}:${id}`;
}
