import type { GraphQLRequestContextDidResolveOperation } from '@apollo/server';
import { callerOf } from '@manifold/platform/contracts';
import { normalizeError, problemHeaders } from '@manifold/platform/errors';
import type { ServerPlugin } from '@manifold/platform/graphql';
import type { RateLimitPolicy, RateLimits } from '@manifold/platform/rate-limit';
import type { RequestHandler, Response } from 'express';
import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { GatewayContext } from '../context.ts';
import {
  addRateLimitHeaders,
  carryRequestRateLimitHeaders,
  keepRequestRateLimitHeaders,
  mergedRateLimitHeaders,
} from '../http/rate-limit-headers.ts';

const ROOT_TYPES = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' } as const;

/** `Mutation.placeOrder`…: the root fields an operation selects, through fragments. */
function rootCoordinates(operation: OperationDefinitionNode, document: DocumentNode): Set<string> {
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition.selectionSet);
  const type = ROOT_TYPES[operation.operation];
  const found = new Set<string>();
  const seen = new Set<string>();
  const walk = (selections: SelectionSetNode) => {
    for (const selection of selections.selections) {
      if (selection.kind === Kind.FIELD) found.add(`${type}.${selection.name.value}`);
      else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment);
      }
    }
  };
  walk(operation.selectionSet);
  return found;
}

/**
 * Per-client rate limits on /graphql (platform/rate-limit; the tiers of the access file):
 * - every request counts against the caller's tier limits in HTTP middleware, after
 *   authentication and before the body is even parsed, so a flood costs a counter, nothing more;
 * - an operation selecting a root field with its own limits (`operations:` in the tier, e.g.
 *   `Mutation.placeOrder`) counts against those too, once the document is parsed — keyed by
 *   the schema's fields, not by the operation name, which a client picks freely.
 * A refusal is HTTP 429 with `Retry-After`, `RateLimit` and `RateLimit-Policy`, and a GraphQL
 * error coded RATE_LIMITED (`retryAfterSeconds`, `violatedPolicies` in its extensions), for
 * `application/json` and `application/graphql-response+json` clients alike: the request was not
 * executed, and 429 is what HTTP clients and their retry logic understand. Allowed answers carry
 * the `RateLimit` headers.
 */
export function useRateLimits({ limits }: { limits: RateLimits }): ServerPlugin<GatewayContext> {
  const refuse = (res: Response, error: unknown, next: (error: unknown) => void) => {
    const appError = normalizeError(error);
    if (!appError) {
      next(error);
      return;
    }
    res
      .status(appError.status)
      .set(problemHeaders(appError))
      .json({
        errors: [
          {
            message: appError.message,
            extensions: { code: appError.code, ...(appError.details ?? {}) },
          },
        ],
      });
  };
  const middleware: RequestHandler = (req, res, next) => {
    const caller = callerOf(req);
    const policies = limits.tierOf(caller)?.base ?? [];
    if (policies.length === 0) {
      next();
      return;
    }
    limits.enforce(limits.keyOf(caller, req), policies).then(
      (headers) => {
        res.set(headers);
        keepRequestRateLimitHeaders(req, headers);
        next();
      },
      (error: unknown) => {
        refuse(res, error, next);
      },
    );
  };

  const operationLimits = async (
    context: GraphQLRequestContextDidResolveOperation<GatewayContext>,
  ): Promise<void> => {
    const { caller, clientKey } = context.contextValue;
    const operations = limits.tierOf(caller)?.operations;
    // No operation: graphql-over-http refuses the request (OPERATION_RESOLUTION_FAILURE).
    if (!operations || operations.size === 0 || !context.operation) return;
    const policies: RateLimitPolicy[] = [];
    for (const coordinate of rootCoordinates(context.operation, context.document))
      policies.push(...(operations.get(coordinate) ?? []));
    if (policies.length === 0) return;
    try {
      addRateLimitHeaders(context, await limits.enforce(clientKey, policies));
    } catch (error) {
      const appError = normalizeError(error);
      if (!appError) throw error;
      throw new GraphQLError(appError.message, {
        originalError: appError,
        extensions: {
          code: appError.code,
          ...(appError.details ?? {}),
          http: {
            status: appError.status,
            headers: new Map(mergedRateLimitHeaders(context, problemHeaders(appError))),
          },
        },
      });
    }
  };

  return {
    name: 'rate-limits',
    http: [middleware],
    context: (context, { req }) => {
      carryRequestRateLimitHeaders(context, req);
    },
    apollo: [
      {
        requestDidStart: () =>
          Promise.resolve({
            didResolveOperation: operationLimits,
          }),
      },
    ],
  };
}
