import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { OperationTypeNode } from 'graphql';

/** What the data source knows about a fetch and the fetcher cannot see in it. */
export interface FetchIntent {
  /** A read (a subgraph `query`): safe to try again after a transient failure. */
  retry: boolean;
  /** A read made for an incoming query: identical ones in flight may share one answer. */
  share: boolean;
}

// The query planner prints each subgraph operation with its keyword first (`{` for an anonymous query).
const QUERY_DOCUMENT = /^\s*(?:query\b|\{)/;

/**
 * Whether a subgraph fetch is a read the gateway may repeat — a subgraph query, even one a
 * mutation's plan makes after the mutation ran — and whether it may share an identical read in
 * flight: only for an incoming query. A mutation's reads must see what the mutation did, not an
 * answer begun before it; a mutation itself is never repeated nor shared.
 */
export function intentOf(options: GraphQLDataSourceProcessOptions): FetchIntent {
  // Only an incoming operation's fetches carry its context (health checks and schema loads do not).
  if (!('incomingRequestContext' in options)) return { retry: false, share: false };
  const read = QUERY_DOCUMENT.test(options.request.query ?? '');
  return {
    retry: read,
    share: read && options.incomingRequestContext.operation.operation === OperationTypeNode.QUERY,
  };
}
