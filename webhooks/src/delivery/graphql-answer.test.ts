import { describe, expect, it } from 'vitest';
import { graphqlFailure } from './graphql-answer.ts';

const answer = (...codes: (string | undefined)[]) =>
  JSON.stringify({
    data: null,
    errors: codes.map((code) => ({ message: 'x', ...(code && { extensions: { code } }) })),
  });

describe('graphqlFailure', () => {
  it('is no failure for an answer without errors, or one that is not JSON', () => {
    expect(graphqlFailure(JSON.stringify({ data: { placeOrder: { id: '1' } } }))).toBeUndefined();
    expect(graphqlFailure('{"data":{},"errors":[]}')).toBeUndefined();
    expect(graphqlFailure('<html>')).toBeUndefined();
  });

  it('makes a refusal a dead letter: the same request would be refused again', () => {
    for (const code of [
      'BAD_USER_INPUT',
      'FORBIDDEN',
      'UNAUTHENTICATED',
      'GRAPHQL_VALIDATION_FAILED',
    ])
      expect(graphqlFailure(answer(code))).toEqual({
        transient: false,
        message: `GraphQL errors: ${code}`,
      });
    expect(graphqlFailure(answer('UPSTREAM_UNAVAILABLE', 'CONFLICT'))?.transient).toBe(false);
  });

  it('retries an outage, a rate limit, an internal or unknown error', () => {
    for (const code of [
      'UPSTREAM_UNAVAILABLE',
      'UPSTREAM_TIMEOUT',
      'RATE_LIMITED',
      'INTERNAL_SERVER_ERROR',
      'SOMETHING_ELSE',
    ])
      expect(graphqlFailure(answer(code))?.transient).toBe(true);
    expect(graphqlFailure(answer(undefined))).toEqual({
      transient: true,
      message: 'GraphQL errors: INTERNAL_SERVER_ERROR',
    });
  });
});
