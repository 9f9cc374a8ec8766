import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';

type GatewayGraphQLResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { execute, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Request } from 'express';
import { createFormatError } from '@manifold/platform/errors';
import { silentLogger } from '@manifold/platform/testing';

/** What each subgraph package exports (the federation-testsuite shape). */
export interface SubgraphModule<TContext> {
  subgraph: { name: string; typeDefs: DocumentNode; resolvers: GraphQLResolverMap<TContext> };
  createContext: (
    db: never,
    info: { req: Request; logger: ReturnType<typeof silentLogger> },
  ) => TContext;
}

const formatError = createFormatError({ maskUnexpected: false });

/**
 * Runs a subgraph in the gateway's process, no sockets: each fetch gets a fresh subgraph context
 * (new DataLoaders), as a request over HTTP would.
 */
export class InProcessSubgraph implements GraphQLDataSource {
  readonly #schema: GraphQLSchema;
  readonly #newContext: (headers: Record<string, string>) => unknown;

  constructor(module: SubgraphModule<unknown>, db: unknown) {
    const { typeDefs, resolvers } = module.subgraph;
    this.#schema = buildSubgraphSchema([{ typeDefs, resolvers }]);
    const logger = silentLogger(module.subgraph.name);
    this.#newContext = (headers) =>
      module.createContext(db as never, { req: { headers } as unknown as Request, logger });
  }

  async process({ request }: GraphQLDataSourceProcessOptions): Promise<GatewayGraphQLResponse> {
    const headers = Object.fromEntries(request.http?.headers ?? []);
    const result = await execute({
      schema: this.#schema,
      document: parse(request.query ?? ''),
      variableValues: request.variables ?? {},
      contextValue: this.#newContext(headers),
    });
    const response: GatewayGraphQLResponse = {
      ...(result.data === undefined ? {} : { data: result.data }),
      ...(result.errors
        ? { errors: result.errors.map((error) => formatError(error.toJSON(), error)) }
        : {}),
    };
    return response;
  }
}
