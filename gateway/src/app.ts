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
import type { Logger } from '@manifold/platform/logging';
import type { Keyv } from 'keyv';
import {
  readAuthorizationRules,
  supergraphForEnforcedAuthorization,
} from './authorization/directives.ts';
import { MANIFOLD_POLICIES, type Policies } from './authorization/policies.ts';
import type { GatewayContext } from './context.ts';
import { SubgraphDataSource } from './datasources/SubgraphDataSource.ts';
import { createSubgraphFetcher } from './datasources/subgraph-fetcher.ts';
import { useAuthentication } from './plugins/authentication.ts';
import { useAuthorization } from './plugins/authorization.ts';
import { useCors } from './plugins/cors.ts';
import { useHealth } from './plugins/health.ts';
import { usePersistedQueries } from './plugins/persisted-queries.ts';
import { useRateLimits } from './plugins/rate-limits.ts';
import type { Supergraph } from './supergraph.ts';

export interface GatewayDeps {
  supergraph: Supergraph;
  logger: Logger;
  /** Shared cache (APQ); keyv over Redis or in memory. */
  cache: Keyv;
  /** Production: no introspection, no schema hints in errors, no landing page, masked unexpected errors. */
  production: boolean;
  /** @default 10000 */
  subgraphTimeoutMs?: number;
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
  subgraphTimeoutMs = 10_000,
  readinessTimeoutMs = 2_000,
  subgraphMaxRequestBytes = SUBGRAPH_REQUEST_LIMIT_BYTES,
  corsAllowedOrigins = [],
  plugins = [],
  authenticate,
  rateLimits,
  identity,
  policies = MANIFOLD_POLICIES,
  propagateHeaders = [],
}: GatewayDeps) {
  const composed = composePlugins<GatewayContext>([
    // First, so that it sees every request, those the next plugins refuse included.
    useTelemetry(),
    useProductionGuards({ production }),
    useGraphQLOverHttp(),
    useHealth({ subgraphs: supergraph.subgraphs, readinessTimeoutMs, identity }),
    ...(corsAllowedOrigins.length > 0 ? [useCors({ allowedOrigins: corsAllowedOrigins })] : []),
    usePersistedQueries({ cache }),
    ...(authenticate ? [useAuthentication({ authenticate })] : []),
    // After authentication: limits are per identified caller.
    ...(rateLimits ? [useRateLimits({ limits: rateLimits })] : []),
    useAuthorization({ rules: readAuthorizationRules(supergraph.sdl), policies, logger }),
    ...plugins,
  ]);

  const pool = createSubgraphFetcher({ timeoutMs: subgraphTimeoutMs });
  const urls = new Map(supergraph.subgraphs.map((subgraph) => [subgraph.name, subgraph.url]));
  const gateway = new ApolloGateway({
    // The authorization plugin above enforces the security directives the gateway cannot.
    supergraphSdl: supergraphForEnforcedAuthorization(supergraph.sdl),
    logger,
    buildService: ({ name, url }) =>
      new SubgraphDataSource({
        name,
        url: urls.get(name) ?? url ?? '',
        fetcher: pool.fetcher,
        maxRequestBytes: subgraphMaxRequestBytes,
        identity,
      }),
  });
  const apollo = new ApolloServer<GatewayContext>({ gateway, logger, ...composed.serverOptions });
  try {
    await apollo.start();
  } catch (error) {
    await pool.close();
    throw new Error(`The supergraph cannot be served: ${(error as Error).message}`, {
      cause: error,
    });
  }

  const app = createGraphQLHttpApp<GatewayContext>({
    apollo,
    plugins: composed,
    logger,
    maskUnexpected: production,
    context: ({ req, requestId, logger: requestLogger }) => ({
      requestId,
      logger: requestLogger,
      caller: callerOf(req),
      clientKey: rateLimits?.keyOf(callerOf(req), req) ?? partitionKey(callerOf(req), req),
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
