import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import type { Authenticate, GatewayIdentitySigner } from '@manifold/platform/auth';
import { callerOf, SUBGRAPH_REQUEST_LIMIT_BYTES } from '@manifold/platform/contracts';
import { partitionKey, type RateLimits } from '@manifold/platform/rate-limit';
import {
  composePlugins,
  createGraphQLHttpApp,
  useGraphQLOverHttp,
  useProductionGuards,
  useTelemetry,
  type ServerPlugin,
} from '@manifold/platform/graphql';
import { ConfigError } from '@manifold/platform/config';
import type { Logger } from '@manifold/platform/logging';
import type { Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Keyv } from 'keyv';
import {
  readAuthorizationRules,
  supergraphForEnforcedAuthorization,
  type AuthorizationRules,
} from './authorization/directives.ts';
import { MANIFOLD_POLICIES, type Policies } from './authorization/policies.ts';
import type { GatewayContext } from './context.ts';
import { SubgraphDataSource } from './datasources/SubgraphDataSource.ts';
import { createSubgraphFetcher } from './datasources/subgraph-fetcher.ts';
import {
  createSubgraphPolicies,
  type SubgraphResilienceOptions,
} from './datasources/subgraph-policies.ts';
import { useAuthentication } from './plugins/authentication.ts';
import { useAuthorization, warnAboutUnknownPolicies } from './plugins/authorization.ts';
import { useCors } from './plugins/cors.ts';
import { useCostBudget } from './plugins/cost-budget.ts';
import { useHealth } from './plugins/health.ts';
import { createCostBudget } from './limits/cost-budget.ts';
import { readCostDirectives, type CostDirectives } from './limits/cost-directives.ts';
import { useOperationLimits, type OperationLimitsOptions } from './plugins/operation-limits.ts';
import { usePersistedQueries } from './plugins/persisted-queries.ts';
import { useTrustedDocuments, type TrustedDocumentsOptions } from './plugins/trusted-documents.ts';
import { useRateLimits } from './plugins/rate-limits.ts';
import { useUsageReporting, type UsageReportingOptions } from './plugins/usage-reporting.ts';
import { useVariablesLimit } from './plugins/variables-limit.ts';
import type { Supergraph } from './supergraph.ts';
import { createSupergraphSwap, type SupergraphSource } from './supergraph-swap.ts';

export interface GatewayDeps {
  /**
   * The supergraph to serve: fixed (a file), or a source whose new versions are swapped in while
   * serving (the schema registry, registry/registry-source.ts).
   */
  supergraph: Supergraph | SupergraphSource;
  logger: Logger;
  /** Shared cache (APQ); keyv over Redis or in memory. */
  cache: Keyv;
  /** Production: no introspection, no schema hints in errors, no landing page, masked unexpected errors. */
  production: boolean;
  /** Per-subgraph timeouts, retries (reads only) and circuit breakers. @default see SubgraphResilienceOptions */
  subgraphResilience?: SubgraphResilienceOptions;
  /** Identical subgraph reads in flight for incoming queries share one fetch. @default true */
  deduplicateSubgraphFetches?: boolean;
  /** Largest accepted request body (bytes). @default 1 MiB */
  bodyLimitBytes?: number;
  /** Largest `variables` of one operation, serialised as JSON (bytes). @default 65536 (64 KiB) */
  maxVariablesBytes?: number;
  /** @default 2000 */
  readinessTimeoutMs?: number;
  /** Largest request body the subgraphs accept; entity fetches are split to fit. @default 1 MiB */
  subgraphMaxRequestBytes?: number;
  /** Browser origins allowed to call /graphql. @default [] (none) */
  corsAllowedOrigins?: readonly string[];
  /** Concerns added after the built-in ones (limits, telemetry…), in order. */
  plugins?: readonly ServerPlugin<GatewayContext>[];
  /** Who is calling (JWT, API key, client certificate). @default every caller anonymous */
  authenticate?: Authenticate | undefined;
  /** Per-client rate limits (the access file's tiers); closed with the app. @default none */
  rateLimits?: RateLimits | undefined;
  /** Signs the caller's identity for the subgraphs, which refuse requests without it. */
  identity: GatewayIdentitySigner;
  /** The functions behind the supergraph's `@policy` names. @default MANIFOLD_POLICIES */
  policies?: Policies;
  /** Client headers sent on to the subgraphs (lower-case names), besides the request id. @default [] */
  propagateHeaders?: readonly string[];
  /** Registered operations run by id, and the clients restricted to them. @default none */
  trustedDocuments?: TrustedDocumentsOptions | undefined;
  /**
   * Token, shape and cost limits checked before any subgraph is called; with `rateLimits`, each
   * operation's cost is also taken from its caller's cost budget per minute: its tier's
   * `graphqlCost.budgetPerMinute` in the access file, or `costBudgetPerMinute` for tiers that set
   * none (0: no budget).
   * @default none
   */
  operationLimits?:
    | (Pick<OperationLimitsOptions, 'limits' | 'mode'> & {
        costBudgetPerMinute?: number;
        /** How long a refusal to a client out of budget is held (useCostBudget). @default 1000 */
        exhaustedBudgetHoldMs?: number;
      })
    | undefined;
  /** Report which fields operations use to the schema registry. @default off */
  usageReporting?: UsageReportingOptions | undefined;
}

/**
 * The gateway as a table of contents: each concern is a plugin (gateway/src/plugins/, or shared
 * ones from platform/graphql), switched on here from config; query planning over the supergraph,
 * one data source per subgraph on a shared keep-alive pool.
 */
export async function createApp({
  supergraph,
  logger,
  cache,
  production,
  subgraphResilience = {},
  deduplicateSubgraphFetches = true,
  bodyLimitBytes = 1_048_576,
  maxVariablesBytes = 65_536,
  readinessTimeoutMs = 2_000,
  subgraphMaxRequestBytes = SUBGRAPH_REQUEST_LIMIT_BYTES,
  corsAllowedOrigins = [],
  plugins = [],
  authenticate,
  rateLimits,
  identity,
  policies = MANIFOLD_POLICIES,
  propagateHeaders = [],
  trustedDocuments,
  operationLimits,
  usageReporting,
}: GatewayDeps) {
  // What the gateway derives from each supergraph it loads: the subgraphs' URLs (overrides
  // applied), the cost directives the operation limits price with (the newest version's), and
  // the authorization rules of its schema — looked up by the schema a request was validated
  // against, so a request in flight during a swap keeps its own supergraph's rules.
  const urls = new Map<string, string>();
  const resilience = createSubgraphPolicies(logger, subgraphResilience);
  // A fixed supergraph's rules are fixed: the plugin then costs nothing when there are none.
  const fixedRules = 'sdl' in supergraph ? readAuthorizationRules(supergraph.sdl) : undefined;
  let loadingRules: AuthorizationRules | undefined;
  let costDirectives: CostDirectives | undefined;
  const rulesBySchema = new WeakMap<GraphQLSchema, AuthorizationRules>();
  const swap = createSupergraphSwap({
    source: supergraph,
    prepare: supergraphForEnforcedAuthorization,
    logger,
    willLoad: (next) => {
      loadingRules = fixedRules ?? readAuthorizationRules(next.sdl);
      if (!fixedRules) warnAboutUnknownPolicies(loadingRules, policies, logger);
      if (operationLimits) costDirectives = readCostDirectives(next.sdl);
      for (const { name, url } of next.subgraphs) {
        urls.set(name, url);
        resilience.policyFor(name); // its breaker shows in /healthz before the first fetch
      }
    },
  });

  const clientKeyOf = (req: Request) =>
    rateLimits?.keyOf(callerOf(req), req) ?? partitionKey(callerOf(req), req);
  // Spent by the operation limits, counted with the rate limits (so only when both are on).
  const budget =
    rateLimits && operationLimits
      ? createCostBudget({
          rateLimits,
          defaultPerMinute: operationLimits.costBudgetPerMinute ?? 0,
          maxCost: operationLimits.limits.maxCost,
        })
      : undefined;

  const composed = composePlugins<GatewayContext>([
    // First, so that it sees every request, those the next plugins refuse included.
    useTelemetry(),
    useProductionGuards({ production }),
    useGraphQLOverHttp(),
    useHealth({
      subgraphs: () => swap.current()?.subgraphs ?? [],
      supergraph: swap.status,
      readinessTimeoutMs,
      identity,
      breakers: resilience.breakers,
    }),
    useVariablesLimit({ maxBytes: maxVariablesBytes }),
    ...(corsAllowedOrigins.length > 0 ? [useCors({ allowedOrigins: corsAllowedOrigins })] : []),
    usePersistedQueries({ cache }),
    ...(authenticate ? [useAuthentication({ authenticate })] : []),
    // After authentication: limits are per identified caller. A client out of cost budget first:
    // refused from memory, its requests do not even count against the request limits.
    ...(budget
      ? [
          useCostBudget({
            budget,
            clientKeyOf,
            ...(operationLimits?.exhaustedBudgetHoldMs === undefined
              ? {}
              : { holdMs: operationLimits.exhaustedBudgetHoldMs }),
          }),
        ]
      : []),
    ...(rateLimits ? [useRateLimits({ limits: rateLimits })] : []),
    // Who is calling decides whether ad-hoc operations are allowed; the registered text is what
    // the limits then measure.
    ...(trustedDocuments ? [useTrustedDocuments(trustedDocuments)] : []),
    ...(operationLimits
      ? [
          useOperationLimits({
            limits: operationLimits.limits,
            mode: operationLimits.mode,
            costDirectives: () => {
              if (!costDirectives) throw new Error('no supergraph loaded yet');
              return costDirectives;
            },
            logger,
            budget,
            clientKeyOf,
          }),
        ]
      : []),
    // Before authorization, which rewrites the document: usage is what the client asked for.
    ...(usageReporting ? [useUsageReporting({ ...usageReporting, logger })] : []),
    useAuthorization({
      rules:
        fixedRules ??
        ((schema) => {
          const rules = rulesBySchema.get(schema);
          // Never serve a request unchecked: it fails (500) instead.
          if (!rules) throw new Error('no authorization rules for the schema of this request');
          return rules;
        }),
      policies,
      logger,
    }),
    ...plugins,
  ]);

  const pool = createSubgraphFetcher();
  const gateway = new ApolloGateway({
    // The authorization plugin above enforces the security directives the gateway cannot.
    supergraphSdl: swap.supergraphSdl,
    logger,
    buildService: ({ name, url }) =>
      new SubgraphDataSource({
        name,
        url: urls.get(name) ?? url ?? '',
        send: pool.send,
        policy: resilience.policyFor(name),
        deduplicate: deduplicateSubgraphFetches,
        maxRequestBytes: subgraphMaxRequestBytes,
        identity,
      }),
  });
  // Called synchronously inside each load or swap, before any request can see the new schema.
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
    if (loadingRules) rulesBySchema.set(apiSchema, loadingRules);
  });
  const apollo = new ApolloServer<GatewayContext>({ gateway, logger, ...composed.serverOptions });
  try {
    await apollo.start();
  } catch (error) {
    await pool.close();
    await composed.close();
    resilience.dispose();
    // No supergraph at all (registry unreachable, no last good copy): the operator's to fix.
    if (error instanceof ConfigError) throw error;
    throw new Error(`The supergraph cannot be served: ${(error as Error).message}`, {
      cause: error,
    });
  }

  const app = createGraphQLHttpApp<GatewayContext>({
    apollo,
    plugins: composed,
    logger,
    maskUnexpected: production,
    bodyLimitBytes,
    context: ({ req, requestId, logger: requestLogger }) => ({
      requestId,
      logger: requestLogger,
      caller: callerOf(req),
      clientKey: clientKeyOf(req),
      propagatedHeaders: pickHeaders(req.headers, propagateHeaders),
    }),
  });

  return {
    app,
    apollo,
    close: async () => {
      await apollo.stop();
      await composed.close();
      await pool.close();
      await rateLimits?.close();
      resilience.dispose();
    },
  };
}

/** The allow-listed headers of a client request, as subgraph request headers. */
function pickHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  allowed: readonly string[],
): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of allowed) {
    const value = headers[name];
    if (value !== undefined) picked[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return picked;
}
