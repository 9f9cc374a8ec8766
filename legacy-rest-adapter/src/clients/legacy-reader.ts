import { createResponseCache, type CacheStatus } from '@manifold/platform/cache';
import type { Keyv } from 'keyv';
import type { LegacyClient } from './legacy-client.ts';

/** What one API response was built from: the least fresh of the legacy reads behind it. */
export interface Freshness {
  status: CacheStatus;
  ageSeconds: number;
  freshForSeconds: number;
}

export interface RequestReader {
  json: (path: string) => Promise<Record<string, unknown>>;
  freshness: () => Freshness;
}

/**
 * Legacy reads through the shared cache (keyv; Redis in production), keyed by legacy path, with
 * a TTL per resource and stale-if-error: identical concurrent reads share one legacy call.
 * `invalidate` drops what a write changed, so a client never reads its own write stale.
 */
export function createLegacyReader(
  legacy: LegacyClient,
  cache: Keyv,
  { staleIfErrorSeconds = 300 } = {},
) {
  const cached = createResponseCache(cache);
  const key = (path: string) => `legacy:${path}`;
  return {
    forRequest(ttlSeconds: number): RequestReader {
      const seen: Freshness = { status: 'HIT', ageSeconds: 0, freshForSeconds: ttlSeconds };
      return {
        json: async (path) => {
          const answer = await cached(key(path), { ttlSeconds, staleIfErrorSeconds }, () =>
            legacy.getJson(path),
          );
          if (answer.status !== 'HIT')
            seen.status = seen.status === 'STALE' || answer.status === 'STALE' ? 'STALE' : 'MISS';
          seen.ageSeconds = Math.max(seen.ageSeconds, answer.ageSeconds);
          seen.freshForSeconds = Math.min(seen.freshForSeconds, answer.freshForSeconds);
          return answer.value;
        },
        freshness: () => ({ ...seen }),
      };
    },
    invalidate: async (paths: readonly string[]) => {
      await Promise.all(paths.map((path) => cache.delete(key(path))));
    },
  };
}

export type LegacyReader = ReturnType<typeof createLegacyReader>;
