import type { Caller } from '@manifold/platform/contracts';
import { AppError } from '@manifold/platform/errors';
import {
  rateLimitHeaders,
  type RateLimitDecision,
  type RateLimitPolicy,
  type RateLimits,
} from '@manifold/platform/rate-limit';
import { LRUCache } from 'lru-cache';
import { limitExceeded } from './limits.ts';

/** Whose budget pays: the caller (its tier) and the key its counters are kept under. */
export interface Payer {
  caller: Caller;
  clientKey: string;
}

/**
 * The per-client cost budget: static cost (`@cost`/`@listSize`) a client may spend per minute.
 * Its size is the caller's tier's `graphqlCost.budgetPerMinute` in the access file (reloaded
 * with it), or `defaultPerMinute` (GRAPHQL_COST_BUDGET_PER_MINUTE) for a tier that sets none;
 * 0 means no budget. Counted by the rate limiter the request limits use (in memory, or in Redis
 * shared by every replica), on the same key as its requests (client, user, or IP).
 */
export interface CostBudget {
  /**
   * Before the request's body is read: RATE_LIMITED when this replica already knows the caller's
   * budget is used up for the current window, undefined otherwise. No store round trip.
   */
  exhausted(payer: Payer): AppError | undefined;
  /**
   * Takes an admitted operation's cost from the budget. Resolves with the `graphql-cost`
   * policy's `RateLimit` / `RateLimit-Policy` headers for the answer ({} when nothing was counted);
   * rejects with RATE_LIMITED (429, Retry-After, the same headers) when the budget cannot pay,
   * or OPERATION_LIMIT_EXCEEDED when the operation costs more than the tier's whole budget.
   */
  charge(cost: number, payer: Payer): Promise<Record<string, string>>;
  /**
   * A refused operation (over an operation limit) costs its caller what the costliest admitted
   * one could (`maxCost`, at most the budget): a client that keeps sending documents the gateway
   * refuses uses up its budget as fast as one sending expensive queries, and is then refused
   * before its requests are even read. Never rejects: the request is refused anyway.
   */
  chargeRefusal(payer: Payer): Promise<void>;
}

export interface CostBudgetOptions {
  rateLimits: RateLimits;
  /** For tiers that set no `graphqlCost.budgetPerMinute`; 0 = no budget. */
  defaultPerMinute: number;
  /** The operation limits' maximum cost: what a refused operation is charged. */
  maxCost: number;
}

/** A client out of budget: the policy it ran out of, and the refusal last sent to it. */
interface OutOfBudget {
  readonly policy: RateLimitPolicy;
  refusal?: { seconds: number; error: AppError };
}

const POLICY_NAME = 'graphql-cost';
const WINDOW_SECONDS = 60;
/** Clients remembered as out of budget; past this, the oldest are asked of the store again. */
const MAX_EXHAUSTED_CLIENTS = 10_000;

export function createCostBudget({
  rateLimits,
  defaultPerMinute,
  maxCost,
}: CostBudgetOptions): CostBudget {
  const { limiter } = rateLimits;
  /**
   * Who ran out, and until when, as the store said at the last refusal. A fixed window's count
   * only grows until it resets, so until then every operation of that client would be refused
   * anyway: refusing it here, from memory, before the body is read and parsed, gives the same
   * answer without the 260 KB read, the parse or the store round trip. Each replica learns it
   * from its own first refusal (one store round trip per client and window). A hand-kept map
   * with expiry (lru-cache's TTL) rather than rate-limiter-flexible's in-memory block, because
   * the check must not consume (it runs before the cost is known) and must work the same for the
   * in-memory store, which has no such block.
   */
  const outOfBudget = new LRUCache<string, OutOfBudget>({ max: MAX_EXHAUSTED_CLIENTS });

  const policyOf = (caller: Caller): RateLimitPolicy | undefined => {
    const points = rateLimits.tierOf(caller)?.graphqlCostBudgetPerMinute ?? defaultPerMinute;
    return points > 0 ? { name: POLICY_NAME, points, windowSeconds: WINDOW_SECONDS } : undefined;
  };
  const refusal = (decision: RateLimitDecision, cost?: number) =>
    new AppError(
      'RATE_LIMITED',
      `The cost budget (${decision.policy.points} per minute) is used up${cost === undefined ? '' : ` for an operation costing ${cost}`}: retry after ${decision.retryAfterSeconds} s`,
      {
        details: {
          retryAfterSeconds: decision.retryAfterSeconds,
          violatedPolicies: [POLICY_NAME],
          ...(cost === undefined ? {} : { cost }),
        },
        headers: rateLimitHeaders([decision]),
      },
    );
  // Refused, or allowed with nothing left: any further operation this window would be refused.
  const remember = (clientKey: string, decision: RateLimitDecision) => {
    if (!decision.unchecked && (!decision.allowed || decision.remaining <= 0))
      outOfBudget.set(
        clientKey,
        { policy: decision.policy },
        { ttl: decision.resetSeconds * 1000 },
      );
  };

  return {
    exhausted({ caller, clientKey }) {
      const blocked = outOfBudget.get(clientKey);
      if (blocked === undefined) return undefined;
      // The tier's budget changed since (a reload): its counters are new, ask the store again.
      const policy = policyOf(caller);
      if (policy?.points !== blocked.policy.points) {
        outOfBudget.delete(clientKey);
        return undefined;
      }
      limiter.refusedFromMemory(policy);
      const seconds = Math.max(1, Math.ceil(outOfBudget.getRemainingTTL(clientKey) / 1000));
      // One refusal per client and second left: a flood is answered with the same error object
      // (an Error's stack trace costs more than everything else this refusal does).
      if (blocked.refusal?.seconds !== seconds)
        blocked.refusal = {
          seconds,
          error: refusal({
            policy,
            allowed: false,
            remaining: 0,
            resetSeconds: seconds,
            retryAfterSeconds: seconds,
            unchecked: false,
          }),
        };
      return blocked.refusal.error;
    },

    async charge(cost, { caller, clientKey }) {
      const policy = policyOf(caller);
      // No budget, or nothing to count (introspection, __typename).
      if (policy === undefined || cost <= 0) return {};
      // Never payable, whatever the client waits: for this tier, the budget is the maximum cost.
      if (cost > policy.points) throw limitExceeded('cost', cost, policy.points);
      const decision = await limiter.consume(clientKey, policy, cost);
      remember(clientKey, decision);
      if (!decision.allowed) throw refusal(decision, cost);
      // Fail-open (store down): nothing was counted, the headers would make numbers up.
      return decision.unchecked ? {} : rateLimitHeaders([decision]);
    },

    async chargeRefusal({ caller, clientKey }) {
      const policy = policyOf(caller);
      if (policy === undefined) return;
      try {
        remember(
          clientKey,
          await limiter.consume(clientKey, policy, Math.min(maxCost, policy.points)),
        );
      } catch {
        // The store is down and the limits fail closed: the request is refused all the same.
      }
    },
  };
}
