import {
  normalizeError,
  UpstreamError,
  upstreamAnswerError,
  type AppError,
} from '@manifold/platform/errors';
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

/**
 * What a failed subgraph fetch means, through the platform's one normaliser: a coded GraphQL
 * answer keeps its code and data (even on a 4xx/5xx), a timeout is UPSTREAM_TIMEOUT, a network
 * failure UPSTREAM_UNAVAILABLE, any other HTTP failure UPSTREAM_ERROR — and an answer that cannot
 * be read at all UPSTREAM_ERROR too. A 401/403 without a code of its own is the caller's: subgraphs
 * authorize the identity the gateway forwards.
 */
function subgraphFailure(error: Error, serviceName: string): AppError {
  const response = error instanceof GraphQLError ? error.extensions['response'] : undefined;
  if (isRecord(response) && typeof response['status'] === 'number') {
    const failure = upstreamAnswerError(serviceName, {
      status: response['status'],
      body: response['body'],
    });
    const code = error instanceof GraphQLError ? error.extensions['code'] : undefined;
    if (failure.code === 'UPSTREAM_ERROR' && (code === 'UNAUTHENTICATED' || code === 'FORBIDDEN'))
      return new UpstreamError(code, serviceName, error.message, { transient: false });
    return failure;
  }
  return (
    normalizeError(error, { upstream: serviceName }) ??
    new UpstreamError('UPSTREAM_ERROR', serviceName, `${serviceName} sent an unreadable answer`, {
      transient: false,
      cause: error,
    })
  );
}

/** A failed subgraph fetch as one GraphQL error naming the subgraph; its raw body never reaches the client. */
export function toSubgraphFailure(error: Error, serviceName: string): GraphQLError {
  const failure = subgraphFailure(error, serviceName);
  const { upstream: _upstream, ...details } = failure.details ?? {};
  const status = failure instanceof UpstreamError ? failure.upstreamStatus : undefined;
  return new GraphQLError(failure.message, {
    originalError: failure,
    extensions: stampServiceName(
      {
        message: failure.message,
        extensions: {
          ...details,
          ...(failure.errors.length > 0 ? { errors: failure.errors } : {}),
          code: failure.code,
          ...(failure.code === 'UPSTREAM_ERROR' && status !== undefined ? { status } : {}),
        },
      },
      serviceName,
    ).extensions,
  });
}
