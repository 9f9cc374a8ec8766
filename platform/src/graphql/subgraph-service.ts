import { ApolloServer, type BaseContext } from '@apollo/server';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import type { Express } from 'express';
import type { GatewayIdentityVerifier } from '../auth/index.ts';
import { SUBGRAPH_REQUEST_LIMIT_BYTES } from '../contracts/topology.ts';
import type { DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import type { RequestInfo } from './http-app.ts';
import { createGraphQLHttpApp } from './http-app.ts';
import { useGatewayIdentity } from './plugins/gateway-identity.ts';
import { useGraphQLOverHttp } from './plugins/graphql-over-http.ts';
import { useProductionGuards } from './plugins/production-guards.ts';
import { useTelemetry } from './plugins/telemetry.ts';
import { composePlugins, type ServerPlugin } from './server-plugin.ts';

/** What every subgraph package exports from its `index.ts` (the federation-testsuite shape). */
export interface SubgraphDefinition<TContext extends BaseContext> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<TContext>;
}

export interface SubgraphAppOptions<TContext extends BaseContext> {
  subgraph: SubgraphDefinition<TContext>;
  context: (info: RequestInfo) => TContext | Promise<TContext>;
  logger: Logger;
  /** Production mode: no introspection or schema hints, no landing page, masked unexpected errors, no stack traces. */
  production: boolean;
  /** Extra checks for `/healthz` (e.g. the database answers). */
  health?: () => boolean;
  /** Checks the identity the gateway signed; a request without a valid one is refused (401). */
  identity: GatewayIdentityVerifier;
  /** Concerns added after the shared ones (telemetry, production guards, GraphQL over HTTP, health). */
  plugins?: readonly ServerPlugin<TContext>[];
}

export interface SubgraphApp<TContext extends BaseContext> {
  app: Express;
  apollo: ApolloServer<TContext>;
  /** Stops Apollo and releases what the plugins own. */
  close: () => Promise<void>;
}

/** `/healthz` of a subgraph: alive, and its own checks pass. */
function useSubgraphHealth<TContext extends BaseContext>(
  name: string,
  health: () => boolean,
): ServerPlugin<TContext> {
  return {
    name: 'health',
    routes: (app) => {
      app.get('/healthz', (_req, res) => {
        const ok = health();
        res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unhealthy', service: name });
      });
    },
  };
}

/** Builds and starts Apollo for one subgraph and wraps it in the shared HTTP shell. */
export async function createSubgraphApp<TContext extends BaseContext>({
  subgraph,
  context,
  logger,
  production,
  health = () => true,
  identity,
  plugins = [],
}: SubgraphAppOptions<TContext>): Promise<SubgraphApp<TContext>> {
  const composed = composePlugins<TContext>([
    // First, so that it sees every request, those the next plugins refuse included.
    useTelemetry(),
    useProductionGuards({ production }),
    useGraphQLOverHttp(),
    useSubgraphHealth(subgraph.name, health),
    useGatewayIdentity(identity),
    ...plugins,
  ]);
  const apollo = new ApolloServer<TContext>({
    schema: buildSubgraphSchema([{ typeDefs: subgraph.typeDefs, resolvers: subgraph.resolvers }]),
    logger,
    ...composed.serverOptions,
  });
  await apollo.start();
  const app = createGraphQLHttpApp({
    apollo,
    plugins: composed,
    context,
    logger,
    maskUnexpected: production,
    // The gateway sizes its entity batches to this very limit.
    bodyLimitBytes: SUBGRAPH_REQUEST_LIMIT_BYTES,
  });
  return {
    app,
    apollo,
    close: async () => {
      await apollo.stop();
      await composed.close();
    },
  };
}
