import { HeaderMap } from '@apollo/server';
import { isAppError, problemHeaders, type AppError } from '@manifold/platform/errors';
import type { ServerPlugin } from '@manifold/platform/graphql';
import type { Logger } from '@manifold/platform/logging';
import { manifoldMeter } from '@manifold/platform/telemetry';
import { callerOf } from '@manifold/platform/contracts';
import type { Request, RequestHandler } from 'express';
import { GraphQLError } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { GatewayContext } from '../context.ts';
import { graphqlParamsOf } from '../http/graphql-params.ts';
import { addRateLimitHeaders, mergedRateLimitHeaders } from '../http/rate-limit-headers.ts';
import { sendGraphQLError } from '../http/send-graphql-error.ts';
import type { CostBudget } from '../limits/cost-budget.ts';
import type { CostDirectives } from '../limits/cost-directives.ts';
import { limitExceeded, shapeLimitExceeded, type OperationLimits } from '../limits/limits.ts';
import { operationCost } from '../limits/operation-cost.ts';
import { measureDocument, type OperationShape } from '../limits/operation-shape.ts';
import { documentLimitExceeded, warmUpDocumentLimits } from '../limits/read-document.ts';

export interface OperationLimitsOptions {
  limits: OperationLimits;
  /** `enforce` refuses; `measure` logs what it would refuse and lets it run (to tune limits on real traffic). */
  mode: 'enforce' | 'measure';
  /** The `@cost` / `@listSize` of the supergraph served now (it may change while serving). */
  costDirectives: () => CostDirectives;
  logger: Logger;
  /**
   * The per-client cost budget: pays every admitted operation's cost (its headers go on the
   * answer; its refusal refuses the request), and is charged for every refused one.
   */
  budget?: CostBudget | undefined;
  /** Whose budget a request spends, before its context exists (the rate limits' key). */
  clientKeyOf?: (req: Request) => string;
}

/** Documents already found within limits, so that the usual operations are checked once. */
const ACCEPTED_CACHE = { max: 2_000, maxSize: 4_000_000 } as const;

/**
 * Refuses operations too large, deep or expensive to run — OPERATION_LIMIT_EXCEEDED with
 * `extensions { limit, measured, maximum }` — before any of them reaches a subgraph, in two steps:
 *
 * 1. on the raw text, before Apollo parses it (`body` middleware): the parser stops at the token
 *    limit, and the document's shape (depth, aliases, root fields, directives, expanded fields;
 *    fragments expanded) is measured, so a 5,000-alias or 200-deep query costs milliseconds;
 * 2. once Apollo has resolved the operation, before it is planned: the static cost from the
 *    supergraph's `@cost`/`@listSize` and the request's variables (`first: $n`), and the shape
 *    of documents that came by APQ hash rather than as text.
 *
 * Every operation over a limit is counted in `manifold.graphql.operation_limit.refusals{limit, mode}`,
 * and, refused, charged against its caller's cost budget (see CostBudget.chargeRefusal).
 */
export function useOperationLimits({
  limits,
  mode,
  costDirectives,
  logger,
  budget,
  clientKeyOf,
}: OperationLimitsOptions): ServerPlugin<GatewayContext> {
  warmUpDocumentLimits(limits);
  const accepted = new LRUCache<string, true>({
    ...ACCEPTED_CACHE,
    sizeCalculation: (_value, text) => Math.max(1, text.length),
  });
  const shapes = new LRUCache<string, OperationShape>({ max: ACCEPTED_CACHE.max });
  const overLimit = manifoldMeter().createCounter('manifold.graphql.operation_limit.refusals', {
    unit: '{operation}',
    description:
      'GraphQL operations over an operation limit, per limit: refused (mode=enforce) or only logged (mode=measure).',
  });
  /** True when the request must be refused; in measure mode only logged. */
  const enforced = (error: AppError): boolean => {
    overLimit.add(1, { limit: String(error.details?.['limit']), mode });
    if (mode === 'enforce') return true;
    logger.warn(
      { code: error.code, ...error.details },
      'operation over a limit let through (GRAPHQL_OPERATION_LIMITS=measure)',
    );
    return false;
  };

  const preParse: RequestHandler = (req, res, next) => {
    for (const { query } of graphqlParamsOf(req)) {
      if (query === undefined || accepted.has(query)) continue;
      const error = documentLimitExceeded(query, limits);
      if (!error) accepted.set(query, true);
      else if (enforced(error)) {
        const refuse = () => {
          sendGraphQLError(req, res, error);
        };
        if (budget && clientKeyOf)
          budget
            .chargeRefusal({ caller: callerOf(req), clientKey: clientKeyOf(req) })
            .then(refuse, next);
        else refuse();
        return;
      }
    }
    next();
  };

  return {
    name: 'operation-limits',
    body: [preParse],
    apollo: [
      {
        requestDidStart: () =>
          Promise.resolve({
            didResolveOperation: async (answer) => {
              const { document, operation, queryHash, request, schema, contextValue } = answer;
              if (!operation) return;
              const payer = { caller: contextValue.caller, clientKey: contextValue.clientKey };
              const refuse = async (error: AppError): Promise<never> => {
                if (error.code === 'OPERATION_LIMIT_EXCEEDED') await budget?.chargeRefusal(payer);
                throw asRequestError(error, (headers) => mergedRateLimitHeaders(answer, headers));
              };
              // Sent as text, the document was measured before Apollo parsed it; sent as an APQ
              // hash alone, it is measured here (the limits may have changed since it was stored).
              if (request.query === undefined) {
                let shape = shapes.get(queryHash);
                if (!shape) {
                  shape = measureDocument(document);
                  shapes.set(queryHash, shape);
                }
                const tooLarge = shapeLimitExceeded(shape, limits);
                if (tooLarge && enforced(tooLarge)) await refuse(tooLarge);
              }
              const cost = operationCost({
                schema,
                document,
                operation,
                variables: request.variables ?? {},
                directives: costDirectives(),
                assumedListSize: limits.assumedListSize,
              });
              if (cost > limits.maxCost) {
                const tooExpensive = limitExceeded('cost', cost, limits.maxCost);
                if (enforced(tooExpensive)) await refuse(tooExpensive);
              }
              if (!budget) return;
              try {
                addRateLimitHeaders(answer, await budget.charge(cost, payer));
              } catch (error) {
                if (!isAppError(error)) throw error;
                // Costlier than the tier's whole budget: over its maximum cost, a limit like the others.
                if (error.code === 'OPERATION_LIMIT_EXCEEDED' && !enforced(error)) return;
                await refuse(error);
              }
            },
          }),
      },
    ],
  };
}

/**
 * An AppError as Apollo sends a request error: nothing executed, the catalogue's status and
 * headers (`withHeaders` may merge them with the answer's: the RateLimit fields of other policies).
 */
export function asRequestError(
  error: AppError,
  withHeaders: (headers: Record<string, string>) => Iterable<[string, string]> = Object.entries,
): GraphQLError {
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: {
      code: error.code,
      ...error.details,
      http: { status: error.status, headers: new HeaderMap(withHeaders(problemHeaders(error))) },
    },
  });
}
