import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { SUBGRAPH_REQUEST_LIMIT_BYTES } from '@manifold/platform/contracts';
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
import type { GatewayContext } from './context.ts';
import { SubgraphDataSource } from './datasources/SubgraphDataSource.ts';
import { createSubgraphFetcher } from './datasources/subgraph-fetcher.ts';
import { useCors } from './plugins/cors.ts';
import { useHealth } from './plugins/health.ts';
import { usePersistedQueries } from './plugins/persisted-queries.ts';
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
  /** Concerns added after the built-in ones (authentication, limits, telemetry…), in order. */
  plugins?: readonly ServerPlugin<GatewayContext>[];
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
}: GatewayDeps) {
  const composed = composePlugins<GatewayContext>([
    // First, so that it sees every request, those the next plugins refuse included.
    useTelemetry(),
    useProductionGuards({ production }),
    useGraphQLOverHttp(),
    useHealth({ subgraphs: supergraph.subgraphs, readinessTimeoutMs }),
    ...(corsAllowedOrigins.length > 0 ? [useCors({ allowedOrigins: corsAllowedOrigins })] : []),
    usePersistedQueries({ cache }),
    ...plugins,
  ]);

  const pool = createSubgraphFetcher({ timeoutMs: subgraphTimeoutMs });
  const urls = new Map(supergraph.subgraphs.map((subgraph) => [subgraph.name, subgraph.url]));
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.sdl,
    logger,
    buildService: ({ name, url }) =>
      new SubgraphDataSource({
        name,
        url: urls.get(name) ?? url ?? '',
        fetcher: pool.fetcher,
        maxRequestBytes: subgraphMaxRequestBytes,
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
    context: ({ requestId, logger: requestLogger }) => ({ requestId, logger: requestLogger }),
  });

  return {
    app,
    apollo,
    close: async () => {
      await apollo.stop();
      await composed.close();
      await pool.close();
    },
  };
}
