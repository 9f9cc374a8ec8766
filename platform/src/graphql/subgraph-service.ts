import { ApolloServer, type BaseContext } from '@apollo/server';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import type { Express } from 'express';
import type { DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import { exposureOptions } from './exposure-options.ts';
import type { RequestInfo } from './http-app.ts';
import { createGraphQLHttpApp } from './http-app.ts';

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
}

export interface SubgraphApp<TContext extends BaseContext> {
  app: Express;
  apollo: ApolloServer<TContext>;
}

/** Builds and starts Apollo for one subgraph and wraps it in the shared HTTP shell. */
export async function createSubgraphApp<TContext extends BaseContext>({
  subgraph,
  context,
  logger,
  production,
  health = () => true,
}: SubgraphAppOptions<TContext>): Promise<SubgraphApp<TContext>> {
  const apollo = new ApolloServer<TContext>({
    schema: buildSubgraphSchema([{ typeDefs: subgraph.typeDefs, resolvers: subgraph.resolvers }]),
    logger,
    ...exposureOptions(production),
  });
  await apollo.start();
  const app = createGraphQLHttpApp({
    apollo,
    context,
    logger,
    maskUnexpected: production,
    routes: (express) => {
      express.get('/healthz', (_req, res) => {
        const ok = health();
        res
          .status(ok ? 200 : 503)
          .json({ status: ok ? 'ok' : 'unhealthy', service: subgraph.name });
      });
    },
  });
  return { app, apollo };
}
