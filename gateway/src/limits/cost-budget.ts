import { AppError } from '@manifold/platform/errors';
import {
  rateLimitHeaders,
  type RateLimiter,
  type RateLimitPolicy,
} from '@manifold/platform/rate-limit';
import type { GatewayContext } from '../context.ts';

/**
 * The per-client cost budget: each admitted operation's static cost is taken from the caller's
 * budget of `pointsPerMinute` (the rate limiter the request limits use: in memory, or in Redis
 * shared by every replica), counted on the same key as its requests (client, user, or IP of an
 * anonymous caller). An operation the budget cannot pay for is refused before it runs: 429
 * RATE_LIMITED with `Retry-After`, the `RateLimit`/`RateLimit-Policy` headers of the
 * `graphql-cost` policy, and `violatedPolicies: ["graphql-cost"]`.
 */
export function costBudget({
  limiter,
  pointsPerMinute,
}: {
  limiter: RateLimiter;
  pointsPerMinute: number;
}): (cost: number, context: GatewayContext) => Promise<void> {
  const policy: RateLimitPolicy = {
    name: 'graphql-cost',
    points: pointsPerMinute,
    windowSeconds: 60,
  };
  return async (cost, { clientKey }) => {
    // Introspection and __typename cost nothing: nothing to count.
    if (cost <= 0) return;
    const decision = await limiter.consume(clientKey, policy, cost);
    if (decision.allowed) return;
    throw new AppError(
      'RATE_LIMITED',
      `The operation costs ${cost}; the cost budget (${pointsPerMinute} per minute) has ${decision.remaining} left: retry after ${decision.retryAfterSeconds} s`,
      {
        details: {
          retryAfterSeconds: decision.retryAfterSeconds,
          violatedPolicies: [policy.name],
          cost,
        },
        headers: rateLimitHeaders([decision]),
      },
    );
  };
}
