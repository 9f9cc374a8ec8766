import type { RateLimitDecision } from './limiter.ts';

/**
 * The IETF rate-limit header fields (draft-ietf-httpapi-ratelimit-headers-11, Structured Field
 * lists), one item per policy the request was counted under:
 *   RateLimit-Policy: "partner-burst";q=50;w=1, "partner";q=3000;w=60   (the quotas: fixed)
 *   RateLimit: "partner-burst";r=49;t=1, "partner";r=2999;t=60         (what is left, and for how long)
 * No partition key (`pk`) is sent: it would only echo who the caller is.
 */
export function rateLimitHeaders(decisions: readonly RateLimitDecision[]): Record<string, string> {
  if (decisions.length === 0) return {};
  const item = (name: string) => `"${name.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  return {
    'ratelimit-policy': decisions
      .map(({ policy }) => `${item(policy.name)};q=${policy.points};w=${policy.windowSeconds}`)
      .join(', '),
    ratelimit: decisions
      .map(
        ({ policy, remaining, resetSeconds }) =>
          `${item(policy.name)};r=${remaining};t=${resetSeconds}`,
      )
      .join(', '),
  };
}

/** Seconds a refused request must wait: the longest of the limits it broke (≥ 1). */
export const retryAfterOf = (decisions: readonly RateLimitDecision[]): number =>
  Math.max(1, ...decisions.filter((d) => !d.allowed).map((d) => d.retryAfterSeconds));
