import type { Logger } from 'pino';
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import { AppError } from '../errors/index.ts';
import { createRepeatedFailureLog } from '../logging/repeated-failure.ts';
import { createRateLimitMetrics } from './metrics.ts';
import type { RateLimitRedisClient } from './redis-client.ts';

/** One limit: `points` (requests, or cost units) per window of `windowSeconds`. */
export interface RateLimitPolicy {
  /**
   * Names the limit in the `RateLimit`/`RateLimit-Policy` headers, in metrics and in the store's
   * keys: letters, digits, `_ . -`.
   */
  readonly name: string;
  /** Points allowed per window. */
  readonly points: number;
  readonly windowSeconds: number;
}

/** What one `consume` decided. */
export interface RateLimitDecision {
  readonly policy: RateLimitPolicy;
  readonly allowed: boolean;
  /** Points left in the current window (0 once refused). */
  readonly remaining: number;
  /** Seconds until the current window ends and the points come back (the `RateLimit` header's `t`). */
  readonly resetSeconds: number;
  /** Refused: seconds until the same request can succeed (≥ 1). Allowed: 0. */
  readonly retryAfterSeconds: number;
  /** The store could not be asked and the limiter fails open: allowed without being counted. */
  readonly unchecked: boolean;
}

/**
 * The rate limiter every front door shares (and the GraphQL cost budget): counters per key and
 * policy, in memory or in Redis (shared by every replica, atomic), built once in main.ts.
 */
export interface RateLimiter {
  /**
   * Takes `cost` points (default 1) from `key`'s counter under `policy`. Resolves with the
   * decision, refused included; rejects only when the store is down and the limiter fails closed
   * (AppError STORE_UNAVAILABLE, 503 with Retry-After).
   */
  consume(key: string, policy: RateLimitPolicy, cost?: number): Promise<RateLimitDecision>;
  /**
   * Counts, in `manifold.rate_limit.refusals`, a refusal decided without asking the store (a
   * client this process remembers is past `policy` until its window ends).
   */
  refusedFromMemory(policy: RateLimitPolicy): void;
  /** Where counters live: this process, or Redis (shared by replicas). */
  readonly store: 'memory' | 'redis';
  /** Closes the store connection it was given (at shutdown). */
  close(): Promise<void>;
}

/** What a front door does when Redis cannot be asked: let requests through, or refuse them. */
export type WhenStoreDown = 'open' | 'closed';

export interface RateLimiterOptions {
  /** Prefixes every counter (`<namespace>:<policy>:…`): the service, so that each counts its own traffic. */
  namespace: string;
  logger: Logger;
  /** Counters in Redis, shared by every replica; unset = in this process. */
  redis?: RateLimitRedisClient | undefined;
  /**
   * Redis unreachable: `open` lets every request through uncounted (logged once per outage,
   * counted in `manifold.rate_limit.store_failures`); `closed` refuses them with 503
   * STORE_UNAVAILABLE. @default 'open'
   */
  whenStoreDown?: WhenStoreDown;
}

const secondsOf = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Fixed-window counters of rate-limiter-flexible: each window refills the whole quota at once (a
 * token bucket refilled once per window); a tier that wants smooth traffic lists a short "burst"
 * window beside its long one. In Redis each consume is one atomic command (Lua), so two replicas
 * never both let the (N+1)th request through.
 */
export function createRateLimiter({
  namespace,
  logger,
  redis,
  whenStoreDown = 'open',
}: RateLimiterOptions): RateLimiter {
  const limiters = new Map<string, RateLimiterAbstract>();
  const metrics = createRateLimitMetrics();
  const outage = createRepeatedFailureLog(logger, {
    message:
      whenStoreDown === 'open'
        ? 'rate-limit store unavailable; requests let through unchecked'
        : 'rate-limit store unavailable; requests refused (RATE_LIMIT_WHEN_STORE_DOWN=closed)',
    fields: { store: 'redis' },
  });
  // One limiter per distinct policy (a tier's settings can change on reload: new counters then).
  const limiterFor = (policy: RateLimitPolicy): RateLimiterAbstract => {
    const id = `${policy.name}:${policy.points}:${policy.windowSeconds}`;
    let limiter = limiters.get(id);
    if (limiter === undefined) {
      const options = {
        keyPrefix: `${namespace}:rl:${id}`,
        points: policy.points,
        duration: policy.windowSeconds,
      };
      limiter = redis
        ? new RateLimiterRedis({
            ...options,
            storeClient: redis,
            useRedisPackage: true,
            // Not connected: fail at once (the outage path), never queue requests behind Redis.
            rejectIfRedisNotReady: true,
            // A key that has used up its window is refused from this process's memory until the
            // window ends, with no Redis round trip: a client hammering past its limit costs
            // a map lookup per request, not a network call. Same answers as Redis would give
            // (the fixed window's count only grows until it resets).
            inMemoryBlockOnConsumed: policy.points,
          })
        : new RateLimiterMemory(options);
      limiters.set(id, limiter);
    }
    return limiter;
  };
  const decided = (
    policy: RateLimitPolicy,
    allowed: boolean,
    result: RateLimiterRes,
  ): RateLimitDecision => ({
    policy,
    allowed,
    remaining: allowed ? result.remainingPoints : 0,
    resetSeconds: secondsOf(result.msBeforeNext),
    retryAfterSeconds: allowed ? 0 : secondsOf(result.msBeforeNext),
    unchecked: false,
  });
  return {
    store: redis ? 'redis' : 'memory',
    refusedFromMemory: (policy) => {
      metrics.limited(policy.name);
    },
    async consume(key, policy, cost = 1) {
      try {
        const result = await limiterFor(policy).consume(key, cost);
        outage.recovered();
        return decided(policy, true, result);
      } catch (rejection) {
        // rate-limiter-flexible rejects with its result when the limit is reached, with an Error
        // when the store failed.
        if (rejection instanceof RateLimiterRes) {
          outage.recovered();
          metrics.limited(policy.name);
          return decided(policy, false, rejection);
        }
        outage.failed(rejection);
        metrics.storeFailed(whenStoreDown);
        if (whenStoreDown === 'closed')
          throw new AppError(
            'STORE_UNAVAILABLE',
            'Rate limits cannot be checked right now (the shared store is unreachable); retry shortly',
            { cause: rejection, details: { retryAfterSeconds: 1 } },
          );
        return {
          policy,
          allowed: true,
          remaining: policy.points,
          resetSeconds: policy.windowSeconds,
          retryAfterSeconds: 0,
          unchecked: true,
        };
      }
    },
    close: async () => {
      limiters.clear();
      if (!redis?.isOpen) return;
      // Connected: let pending commands finish. Reconnecting: nothing to wait for.
      if (redis.isReady) await redis.close();
      else redis.destroy();
    },
  };
}
