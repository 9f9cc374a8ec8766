import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { KeyvAdapter } from '@apollo/utils.keyvadapter';
import { createGraphQLHttpApp, exposureOptions } from '@manifold/platform/graphql';
import type { Logger } from '@manifold/platform/logging';
import type { Keyv } from 'keyv';
import type { GatewayContext } from './context.ts';
import { SubgraphDataSource } from './datasources/SubgraphDataSource.ts';
import { createSubgraphFetcher } from './datasources/subgraph-fetcher.ts';
import { healthRoutes } from './http/health.ts';
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
}

/**
 * The gateway as a table of contents: query planning over the supergraph, one data source per
 * subgraph on a shared keep-alive pool, APQ in the shared cache, health routes, error masking.
 */
export async function createApp({
  supergraph,
  logger,
  cache,
  production,
  subgraphTimeoutMs = 10_000,
  readinessTimeoutMs = 2_000,
}: GatewayDeps) {
  const pool = createSubgraphFetcher({ timeoutMs: subgraphTimeoutMs });
  const urls = new Map(supergraph.subgraphs.map((subgraph) => [subgraph.name, subgraph.url]));
  const gateway = new ApolloGateway({
    supergraphSdl: supergraph.sdl,
    logger,
    buildService: ({ name, url }) =>
      new SubgraphDataSource({ name, url: urls.get(name) ?? url ?? '', fetcher: pool.fetcher }),
  });

  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    logger,
    ...exposureOptions(production),
    // The keyv types exist twice (CJS and ESM builds); the instance is the same at runtime.
    persistedQueries: { cache: new KeyvAdapter(cache as never) },
  });
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
    logger,
    maskUnexpected: production,
    context: ({ requestId, logger: requestLogger }) => ({ requestId, logger: requestLogger }),
    routes: healthRoutes({ subgraphs: supergraph.subgraphs, readinessTimeoutMs }),
  });

  return {
    app,
    apollo,
    close: async () => {
      await apollo.stop();
      await pool.close();
    },
  };
}
