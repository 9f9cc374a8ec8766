import { callerOf } from '@manifold/platform/contracts';
import type { ServerPlugin } from '@manifold/platform/graphql';
import type { Request, RequestHandler } from 'express';
import type { GatewayContext } from '../context.ts';
import { sendGraphQLError } from '../http/send-graphql-error.ts';
import type { CostBudget } from '../limits/cost-budget.ts';

/**
 * Refuses, as the first thing after authentication, a client this replica knows has used up its
 * cost budget for the current minute: 429 RATE_LIMITED with `Retry-After` and the `graphql-cost`
 * policy's RateLimit headers, before the body is read or parsed and without asking the store.
 * An abusive client (one flooding documents the limits refuse, each charged as the costliest
 * operation) then costs the gateway a map lookup per request, not a 260 KB read and a parse.
 * The budget is spent by the operation limits (useOperationLimits' `budget`).
 */
export function useCostBudget({
  budget,
  clientKeyOf,
}: {
  budget: CostBudget;
  clientKeyOf: (req: Request) => string;
}): ServerPlugin<GatewayContext> {
  const guard: RequestHandler = (req, res, next) => {
    const refusal = budget.exhausted({ caller: callerOf(req), clientKey: clientKeyOf(req) });
    if (refusal) {
      sendGraphQLError(req, res, refusal);
    } else next();
  };
  return { name: 'cost-budget', http: [guard] };
}
