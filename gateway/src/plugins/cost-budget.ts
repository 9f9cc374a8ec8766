import { callerOf } from '@manifold/platform/contracts';
import type { ServerPlugin } from '@manifold/platform/graphql';
import type { Request, RequestHandler } from 'express';
import type { GatewayContext } from '../context.ts';
import { sendGraphQLError } from '../http/send-graphql-error.ts';
import type { CostBudget } from '../limits/cost-budget.ts';

/** How long a refusal from memory is held before it is sent, by default (at most its Retry-After). */
export const EXHAUSTED_BUDGET_HOLD_MS = 1_000;

/**
 * Refuses, as the first thing after authentication, a client this replica knows has used up its
 * cost budget for the current minute: 429 RATE_LIMITED with `Retry-After` and the `graphql-cost`
 * policy's RateLimit headers, before the body is read or parsed and without asking the store.
 * An abusive client (one flooding documents the limits refuse, each charged as the costliest
 * operation) then costs the gateway a map lookup per request, not a 260 KB read and a parse.
 *
 * The refusal is held `holdMs` (1 s; at most its Retry-After) before it is sent — HAProxy's
 * `http-request tarpit`: a client told when to come back that keeps sending anyway gets at most
 * one answer per connection per second. A refused request still passes through everything before
 * this check (request id, access log, telemetry, authentication: a few hundred microseconds), and a
 * flood answered at once comes straight back; held, 50 connections cost 50 of those per second.
 * Held requests cost an open connection and a timer, nothing else: their body stays unread.
 * The budget is spent by the operation limits (useOperationLimits' `budget`).
 */
export function useCostBudget({
  budget,
  clientKeyOf,
  holdMs = EXHAUSTED_BUDGET_HOLD_MS,
}: {
  budget: CostBudget;
  clientKeyOf: (req: Request) => string;
  holdMs?: number;
}): ServerPlugin<GatewayContext> {
  const guard: RequestHandler = (req, res, next) => {
    const refusal = budget.exhausted({ caller: callerOf(req), clientKey: clientKeyOf(req) });
    if (!refusal) {
      next();
      return;
    }
    const retryAfterMs = Number(refusal.details?.['retryAfterSeconds'] ?? 1) * 1000;
    const hold = Math.min(holdMs, retryAfterMs);
    if (hold <= 0) {
      sendGraphQLError(req, res, refusal);
      return;
    }
    const timer = setTimeout(() => {
      sendGraphQLError(req, res, refusal);
    }, hold);
    // The client gave up waiting: nothing to send.
    res.on('close', () => {
      clearTimeout(timer);
    });
  };
  return { name: 'cost-budget', http: [guard] };
}
