import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import { REQUEST_ID_HEADER } from '@manifold/platform/request-id';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.ts';

/** Header subgraphs read the caller's identity from; only the gateway sets it. */
export const USER_ID_HEADER = 'x-manifold-user-id';

export interface SubgraphDataSourceOptions {
  name: string;
  url: string;
  fetcher: Fetcher;
}

/**
 * How the gateway talks to one subgraph: propagates the request id and the authenticated
 * identity, and turns transport failures into catalogue errors that name the subgraph.
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
    headers.delete(USER_ID_HEADER);
    // Health checks run without a request context, hence Partial.
    const { requestId, userId } = context as Partial<GatewayContext>;
    if (requestId) headers.set(REQUEST_ID_HEADER, requestId);
    if (userId) headers.set(USER_ID_HEADER, userId);
  }

  override didEncounterError(error: Error): void {
    throw this.#toCatalogueError(error);
  }

  #toCatalogueError(error: Error): GraphQLError {
    const extensions = error instanceof GraphQLError ? error.extensions : {};
    const status = (extensions['response'] as { status?: number } | undefined)?.status;
    const serviceName = this.name;
    if (status === 401 || status === 403) {
      return new GraphQLError(error.message, {
        extensions: { code: status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', serviceName },
      });
    }
    if (status !== undefined) {
      return new GraphQLError(`Subgraph "${serviceName}" answered HTTP ${status}`, {
        extensions: { code: 'UPSTREAM_ERROR', serviceName, status },
      });
    }
    if (error.name === 'TimeoutError' || error.name === 'AbortError') {
      return new GraphQLError(`Subgraph "${serviceName}" timed out`, {
        extensions: { code: 'UPSTREAM_TIMEOUT', serviceName },
      });
    }
    return new GraphQLError(`Subgraph "${serviceName}" is unavailable`, {
      extensions: { code: 'UPSTREAM_UNAVAILABLE', serviceName },
    });
  }
}
