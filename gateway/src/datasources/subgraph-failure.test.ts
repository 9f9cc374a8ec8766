import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { stampServiceName, toSubgraphFailure } from './subgraph-failure.ts';

/** What RemoteGraphQLDataSource throws for a non-2xx answer: the response rides in extensions. */
const httpFailure = (status: number, body: unknown, code = 'INTERNAL_SERVER_ERROR') =>
  new GraphQLError(`${status}: failed`, {
    extensions: { code, response: { url: 'http://x', status, statusText: '', body } },
  });

describe('stampServiceName', () => {
  it('names the subgraph, but never overwrites a name a nested gateway already gave', () => {
    expect(stampServiceName({ message: 'm' }, 'orders').extensions).toEqual({
      serviceName: 'orders',
    });
    expect(
      stampServiceName({ message: 'm', extensions: { serviceName: 'inner', code: 'X' } }, 'orders')
        .extensions,
    ).toEqual({ serviceName: 'inner', code: 'X' });
  });
});

describe('toSubgraphFailure', () => {
  it("keeps a subgraph's own code from a non-2xx GraphQL answer, without the raw HTTP details", () => {
    const error = toSubgraphFailure(
      httpFailure(400, {
        errors: [
          { message: 'bad id', extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } },
        ],
      }),
      'users',
    );
    expect(error.message).toBe('bad id');
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', serviceName: 'users' });
  });

  it('maps 401/403 to UNAUTHENTICATED/FORBIDDEN and other HTTP failures to UPSTREAM_ERROR', () => {
    expect(
      toSubgraphFailure(httpFailure(401, 'no', 'UNAUTHENTICATED'), 'users').extensions,
    ).toEqual({
      code: 'UNAUTHENTICATED',
      serviceName: 'users',
    });
    expect(toSubgraphFailure(httpFailure(403, 'no', 'FORBIDDEN'), 'users').extensions['code']).toBe(
      'FORBIDDEN',
    );
    const broken = toSubgraphFailure(httpFailure(502, '<html>Bad Gateway</html>'), 'orders');
    expect(broken.extensions).toEqual({
      code: 'UPSTREAM_ERROR',
      serviceName: 'orders',
      status: 502,
    });
    expect(broken.message).not.toContain('html');
  });

  it('maps a timeout to UPSTREAM_TIMEOUT and a refused connection to UPSTREAM_UNAVAILABLE', () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(toSubgraphFailure(timeout, 'content').extensions).toEqual({
      code: 'UPSTREAM_TIMEOUT',
      serviceName: 'content',
    });
    const refused = new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } });
    expect(toSubgraphFailure(refused, 'content').extensions).toEqual({
      code: 'UPSTREAM_UNAVAILABLE',
      serviceName: 'content',
      retryAfterSeconds: 1,
    });
  });

  it('calls an answer it cannot read UPSTREAM_ERROR', () => {
    expect(toSubgraphFailure(new SyntaxError('Unexpected token <'), 'products').extensions).toEqual(
      {
        code: 'UPSTREAM_ERROR',
        serviceName: 'products',
      },
    );
  });
});
