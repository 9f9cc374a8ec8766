import type { CachedAnswer } from '@manifold/platform/cache';

/** What an answer from the response cache says about itself: X-Cache, Age, Cache-Control. */
export function cacheHeaders(
  result: Pick<CachedAnswer<unknown>, 'status' | 'ageSeconds' | 'freshForSeconds'>,
): Record<'x-cache' | 'age' | 'cache-control', string> {
  return {
    'x-cache': result.status,
    age: String(result.ageSeconds),
    'cache-control':
      result.status === 'STALE' ? 'no-cache' : `public, max-age=${result.freshForSeconds}`,
  };
}
