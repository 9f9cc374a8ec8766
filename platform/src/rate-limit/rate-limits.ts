import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { AccessPolicy, AccessPolicySource } from '../auth/access-file.ts';
import { problemsOf } from '../config/index.ts';
import type { Caller } from '../contracts/index.ts';
import { AppError } from '../errors/index.ts';
import { partitionKey } from './caller-key.ts';
import { rateLimitHeaders, retryAfterOf } from './headers.ts';
import type { RateLimitDecision, RateLimiter, RateLimitPolicy } from './limiter.ts';
import { compileTierLimits, type CompiledTier } from './tier-limits.ts';

/**
 * A front door's per-client rate limits: the caller's tier in the access file says which limits
 * apply (reloaded with the file), the limiter counts them (shared by replicas through Redis).
 */
export interface RateLimits {
  /** Whose counters a request counts against (`partitionKey`, behind the configured proxies). */
  keyOf(caller: Caller, req: IncomingMessage): string;
  /** The limits of the caller's tier (or of the default tier when the file does not list its tier). */
  tierOf(caller: Caller): CompiledTier | undefined;
  /**
   * Counts one request against `policies` (all at once), on the counters of `key` — whose
   * request it is: `keyOf(caller, req)`. Resolves with the headers
   * the answer carries (`RateLimit`, `RateLimit-Policy`); rejects with AppError RATE_LIMITED
   * (429, `Retry-After` and the same headers) when a limit is reached, or STORE_UNAVAILABLE when
   * Redis is down and the limits fail closed.
   */
  enforce(key: string, policies: readonly RateLimitPolicy[]): Promise<Record<string, string>>;
  readonly limiter: RateLimiter;
  close(): Promise<void>;
}

export interface RateLimitsOptions {
  limiter: RateLimiter;
  /** The access file (tiers and their limits). */
  access: AccessPolicySource;
  logger: Logger;
  /**
   * Proxies in front that append to X-Forwarded-For (a load balancer: 1); an anonymous caller is
   * counted by the address the outermost of them saw. @default 0 (the connection's address)
   */
  trustedProxyHops?: number;
}

/** The refusal: which limits were broken, when to come back, and the headers that say so. */
function refusal(decisions: readonly RateLimitDecision[]): AppError {
  const broken = decisions.filter((decision) => !decision.allowed);
  const names = broken.map((decision) => decision.policy.name);
  const first = broken[0]?.policy;
  const retryAfterSeconds = retryAfterOf(decisions);
  return new AppError(
    'RATE_LIMITED',
    first
      ? `Rate limit "${first.name}" reached (${first.points} per ${first.windowSeconds} s); retry after ${retryAfterSeconds} s`
      : 'Rate limit reached',
    {
      details: { retryAfterSeconds, violatedPolicies: names },
      headers: rateLimitHeaders(decisions),
    },
  );
}

export function createRateLimits({
  limiter,
  access,
  logger,
  trustedProxyHops = 0,
}: RateLimitsOptions): RateLimits {
  // Compiled once per access policy: the file is re-read when it changes, and a bad change keeps
  // the last good limits in force (as the access file itself does).
  let compiledFor: AccessPolicy = access.current();
  let tiers = compileTierLimits(compiledFor);
  const current = (): ReadonlyMap<string, CompiledTier> => {
    const policy = access.current();
    if (policy === compiledFor) return tiers;
    compiledFor = policy;
    try {
      tiers = compileTierLimits(policy);
      logger.info({ tiers: [...tiers.keys()] }, 'rate limits reloaded');
    } catch (error) {
      logger.error(
        { problems: problemsOf(error) },
        'the access file changed but its rate limits are invalid; the previous ones stay in force',
      );
    }
    return tiers;
  };
  return {
    limiter,
    keyOf: (caller, req) => partitionKey(caller, req, trustedProxyHops),
    tierOf(caller) {
      const all = current();
      // A tier the file does not list (anonymous callers, when it has no `anonymous` tier) is
      // treated as the default one.
      return all.get(caller.tier) ?? all.get(compiledFor.defaultTier);
    },
    async enforce(key, policies) {
      if (policies.length === 0) return {};
      const decisions = await Promise.all(policies.map((policy) => limiter.consume(key, policy)));
      if (decisions.some((decision) => !decision.allowed)) throw refusal(decisions);
      // Fail-open: nothing was counted, so the headers would only make numbers up.
      if (decisions.some((decision) => decision.unchecked)) return {};
      return rateLimitHeaders(decisions);
    },
    close: () => limiter.close(),
  };
}
