import type { ServerPlugin } from '@manifold/platform/graphql';
import { GraphQLError, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import type { Logger } from '@manifold/platform/logging';
import { applyAccessPlan } from '../authorization/apply-access.ts';
import type { AuthorizationRules } from '../authorization/directives.ts';
import { HIDDEN_ALIAS_PREFIX, planAccess, type AccessPlan } from '../authorization/plan-access.ts';
import type { Policies } from '../authorization/policies.ts';
import type { GatewayContext } from '../context.ts';

export interface AuthorizationOptions {
  /**
   * The served supergraph's @authenticated, @requiresScopes and @policy (`readAuthorizationRules`);
   * a function when the supergraph changes while serving: the rules of the schema a request was
   * validated against, so that a request in flight during a swap keeps its supergraph's rules.
   * It throws when it has no rules for that schema: the request fails, it is never served unchecked.
   */
  rules: AuthorizationRules | ((schema: GraphQLSchema) => AuthorizationRules);
  /** The functions behind each `@policy` name. */
  policies: Policies;
  logger: Logger;
}

/** Warns once per supergraph about `@policy` names the gateway does not define. */
export function warnAboutUnknownPolicies(
  rules: AuthorizationRules,
  policies: Policies,
  logger: Logger,
): void {
  const unknown = [...rules.policyNames].filter((name) => !(name in policies));
  if (unknown.length > 0)
    logger.warn(
      { policies: unknown },
      'the supergraph names policies the gateway does not define; fields guarded only by them are refused to every caller',
    );
}

/** The aliases the gateway adds for policies are its own: a client may not use them. */
const reservedAliases: ValidationRule = (context) => ({
  Field(node) {
    if (node.alias?.value.startsWith(HIDDEN_ALIAS_PREFIX))
      context.reportError(
        new GraphQLError(`Aliases starting with "${HIDDEN_ALIAS_PREFIX}" are reserved`, {
          nodes: node,
        }),
      );
  },
});

type Rewritable = { document: DocumentNode; queryHash: string };

/**
 * Enforces the Federation authorization directives for every subgraph, as Apollo Router and Hive
 * Gateway do: after the operation is resolved and before it is planned, fields the caller may
 * not see are removed (planAccess); once the answer is back, each comes back null with an
 * UNAUTHENTICATED or FORBIDDEN error at its path, data-dependent `@policy` functions are
 * evaluated on the objects they guard, and the rest of the answer is served (applyAccessPlan).
 */
export function useAuthorization({
  rules,
  policies,
  logger,
}: AuthorizationOptions): ServerPlugin<GatewayContext> {
  let rulesFor: (schema: GraphQLSchema) => AuthorizationRules;
  if (typeof rules === 'function') rulesFor = rules;
  else {
    warnAboutUnknownPolicies(rules, policies, logger);
    if (rules.fields.size === 0 && rules.types.size === 0) return { name: 'authorization' };
    rulesFor = () => rules;
  }
  return {
    name: 'authorization',
    validationRules: [reservedAliases],
    apollo: [
      {
        requestDidStart: () => {
          let access: AccessPlan | undefined;
          return Promise.resolve({
            didResolveOperation: (requestContext) => {
              const { operation, document, schema, contextValue, request } = requestContext;
              if (!operation) return Promise.resolve();
              const current = rulesFor(schema);
              if (current.fields.size === 0 && current.types.size === 0) return Promise.resolve();
              access = planAccess({
                schema,
                document,
                operation,
                variables: request.variables ?? {},
                caller: contextValue.caller,
                rules: current,
                policies,
              });
              if (access) {
                // Apollo hands these to the gateway's executor: the rewrite is what gets planned.
                const rewritable = requestContext as unknown as Rewritable;
                rewritable.document = access.document;
                rewritable.queryHash = access.queryHash;
              }
              return Promise.resolve();
            },
            willSendResponse: ({ response, schema, contextValue }) => {
              if (!access || response.body.kind !== 'single') return Promise.resolve();
              const result = response.body.singleResult;
              const applied = applyAccessPlan(result.data, access.root, {
                schema,
                caller: contextValue.caller,
                policies,
              });
              response.body.singleResult = {
                ...result,
                ...(applied.data === undefined ? {} : { data: applied.data }),
                ...(applied.errors.length > 0 || result.errors
                  ? { errors: [...(result.errors ?? []), ...applied.errors] }
                  : {}),
              };
              return Promise.resolve();
            },
          });
        },
      },
    ],
  };
}
