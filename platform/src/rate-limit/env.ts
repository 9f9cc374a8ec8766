import type { Logger } from 'pino';
import { z } from 'zod';
import type { AccessPolicySource } from '../auth/access-file.ts';
import { createRateLimiter } from './limiter.ts';
import { createRateLimits, type RateLimits } from './rate-limits.ts';
import { connectRateLimitRedis } from './redis-client.ts';

/**
 * Variables of a rate-limited front door (the gateway, each REST facade). Extend a service's env
 * schema with `.extend(RateLimitEnv.shape)`; the limits themselves are the access file's tiers.
 */
export const RateLimitEnv = z.object({
  /** `off` switches the per-client limits off. @default on, except under NODE_ENV=test */
  RATE_LIMITS: z.enum(['on', 'off']).optional(),
  /**
   * Redis (REDIS_URL) unreachable: `open` lets requests through unchecked (logged once per
   * outage, counted); `closed` refuses them with 503 STORE_UNAVAILABLE.
   */
  RATE_LIMIT_WHEN_STORE_DOWN: z.enum(['open', 'closed']).default('open'),
  /**
   * Proxies in front that append to X-Forwarded-For (docker-compose's nginx: 1). Anonymous
   * callers are counted by the address the outermost one saw; 0 = the connection's address.
   */
  RATE_LIMIT_TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
});
export type RateLimitEnv = z.infer<typeof RateLimitEnv>;

/**
 * A front door's rate limits from its (parsed) environment, or undefined when they are off.
 * Counters live in Redis when REDIS_URL is set (every replica shares them), in the process
 * otherwise. On by default — `npm start` and production alike — but off under NODE_ENV=test, so
 * that tests which are not about limits are never refused by accident (those that are switch
 * them on).
 */
export function rateLimitsFromEnv(
  env: RateLimitEnv & { NODE_ENV: string; REDIS_URL?: string | undefined },
  { service, access, logger }: { service: string; access: AccessPolicySource; logger: Logger },
): RateLimits | undefined {
  const enabled = (env.RATE_LIMITS ?? (env.NODE_ENV === 'test' ? 'off' : 'on')) === 'on';
  if (!enabled) {
    logger.info('rate limits off');
    return undefined;
  }
  const redis =
    env.REDIS_URL === undefined ? undefined : connectRateLimitRedis(env.REDIS_URL, logger);
  const limiter = createRateLimiter({
    namespace: service,
    logger,
    redis,
    whenStoreDown: env.RATE_LIMIT_WHEN_STORE_DOWN,
  });
  logger.info(
    { store: limiter.store, whenStoreDown: env.RATE_LIMIT_WHEN_STORE_DOWN },
    'rate limits on',
  );
  return createRateLimits({
    limiter,
    access,
    logger,
    trustedProxyHops: env.RATE_LIMIT_TRUSTED_PROXY_HOPS,
  });
}
