/**
 * Rate limits: per-client limits at every front door (tiers in the access file; memory, or
 * Redis shared by replicas), the answers clients act on (429 + Retry-After + the IETF RateLimit
 * headers), and the client side of upstreams' own limits.
 *
 * For other limits — the GraphQL cost budget per client per minute — use the limiter directly:
 *
 *   const decision = await limiter.consume(key, { name: 'cost', points: 10_000, windowSeconds: 60 }, cost);
 *   // decision: { allowed, remaining, resetSeconds, retryAfterSeconds, unchecked, policy }
 *   if (!decision.allowed) throw … RATE_LIMITED with retryAfterSeconds, rateLimitHeaders([decision]);
 *
 * `key` is whose counter it is: `rateLimits.keyOf(caller, req)` gives the one the request limits
 * use (client, user, or IP behind RATE_LIMIT_TRUSTED_PROXY_HOPS); on the gateway it is the
 * context's `clientKey`. The limiter of a front door is `rateLimits.limiter` (gateway: createApp's
 * `rateLimits`); a refused consume resolves `allowed: false`, it never rejects unless the store is
 * down and the limits fail closed (AppError STORE_UNAVAILABLE). Name the policy apart from the
 * tiers' request limits (`cost`): one name, one counter.
 */
export {
  createRateLimiter,
  type RateLimitDecision,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitPolicy,
  type WhenStoreDown,
} from './limiter.ts';
export { createRateLimits, type RateLimits, type RateLimitsOptions } from './rate-limits.ts';
export { clientAddress, partitionKey } from './caller-key.ts';
export { rateLimitHeaders, retryAfterOf } from './headers.ts';
export { compileTierLimits, TierRateLimits, type CompiledTier } from './tier-limits.ts';
export { rateLimitEdge, type RateLimitEdgeOptions } from './rest-edge.ts';
export { RateLimitEnv, rateLimitsFromEnv } from './env.ts';
export { connectRateLimitRedis, type RateLimitRedisClient } from './redis-client.ts';
export {
  createUpstreamThrottle,
  type UpstreamThrottle,
  type UpstreamThrottleOptions,
  type UpstreamThrottleStats,
} from './upstream-throttle.ts';
