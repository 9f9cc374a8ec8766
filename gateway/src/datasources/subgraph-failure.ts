import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';

type Extensions = Record<string, unknown>;

const isRecord = (value: unknown): value is Extensions =>
  typeof value === 'object' && value !== null;

/**
 * Names the subgraph on an error it returned. `||=` on purpose: a subgraph (or a nested gateway)
 * that already said who it is keeps its word, and its own `code` is never touched.
 */
export function stampServiceName(
  error: GraphQLFormattedError,
  serviceName: string,
): GraphQLFormattedError {
  const extensions: Extensions = { ...error.extensions };
  extensions['serviceName'] ||= serviceName;
  return { ...error, extensions };
}

/** The first error of a non-2xx GraphQL body, when the subgraph gave it a code of its own. */
function codedBodyError(body: unknown): GraphQLFormattedError | undefined {
  if (!isRecord(body) || !Array.isArray(body['errors'])) return undefined;
  const first: unknown = body['errors'][0];
  if (!isRecord(first) || typeof first['message'] !== 'string') return undefined;
  const extensions = first['extensions'];
  if (!isRecord(extensions) || typeof extensions['code'] !== 'string') return undefined;
  return { message: first['message'], extensions };
}

/**
 * Turns a failed subgraph fetch into one catalogue error that names the subgraph:
 * a coded GraphQL answer keeps its code (even on a 4xx/5xx), any other HTTP failure is
 * UPSTREAM_ERROR, a timeout UPSTREAM_TIMEOUT, a network failure (fetch's TypeError) UPSTREAM_UNAVAILABLE.
 * The subgraph's raw body never reaches the client.
 */
export function toSubgraphFailure(error: Error, serviceName: string): GraphQLError {
  const response = error instanceof GraphQLError ? error.extensions['response'] : undefined;
  if (isRecord(response) && typeof response['status'] === 'number') {
    const status = response['status'];
    const own = codedBodyError(response['body']);
    if (own) {
      const { http: _http, ...extensions } = stampServiceName(own, serviceName).extensions ?? {};
      return new GraphQLError(own.message, { extensions });
    }
    const code = error instanceof GraphQLError ? error.extensions['code'] : undefined;
    if (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') {
      return new GraphQLError(error.message, { extensions: { code, serviceName } });
    }
    return new GraphQLError(`Subgraph "${serviceName}" answered HTTP ${String(status)}`, {
      extensions: { code: 'UPSTREAM_ERROR', serviceName, status },
    });
  }
  if (error.name === 'TimeoutError' || error.name === 'AbortError') {
    return new GraphQLError(`Subgraph "${serviceName}" timed out`, {
      originalError: error,
      extensions: { code: 'UPSTREAM_TIMEOUT', serviceName },
    });
  }
  if (error instanceof TypeError) {
    return new GraphQLError(`Subgraph "${serviceName}" is unavailable`, {
      originalError: error,
      extensions: { code: 'UPSTREAM_UNAVAILABLE', serviceName },
    });
  }
  return new GraphQLError(`Subgraph "${serviceName}" sent an unreadable answer`, {
    originalError: error,
    extensions: { code: 'UPSTREAM_ERROR', serviceName },
  });
}
