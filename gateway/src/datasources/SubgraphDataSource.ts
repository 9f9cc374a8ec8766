import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { Header } from '@manifold/platform/contracts';
import type { GatewayContext } from '../context.ts';
import { toSubgraphFailure } from './subgraph-failure.ts';

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  fetcher: Fetcher;
}

/**
 * How the gateway talks to one subgraph: propagates the request id and the authenticated
 * identity, and turns transport failures into catalogue errors that name the subgraph
 * (`toSubgraphFailure`: a subgraph's own code survives even on a non-2xx answer).
 * No retries: a subgraph fetch may be a mutation (the federation gateway's own default).
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  readonly name: string;

  constructor({ name, url, fetcher }: SubgraphDataSourceOptions) {
    super({ url, fetcher });
    this.name = name;
  }

  override willSendRequest({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const headers = request.http?.headers;
    if (!headers) return;
    // Only identities the gateway established travel on; nothing a client sent is copied over.
    headers.delete(Header.userId);
    // Health checks run without a request context, hence Partial.
    const { requestId, userId } = context as Partial<GatewayContext>;
    if (requestId) headers.set(Header.requestId, requestId);
    if (userId) headers.set(Header.userId, userId);
  }

  override didEncounterError(error: Error): void {
    throw toSubgraphFailure(error, this.name);
  }
}
