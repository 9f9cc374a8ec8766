export { cacheKey, createCache, NOT_IN_MEMORY, peekInMemory, type CacheOptions } from './cache.ts';
export {
  createResponseCache,
  responseCacheKey,
  type CacheStatus,
  type CachedAnswer,
  type CachePolicy,
} from './response-cache.ts';
