import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AppError } from './AppError.ts';
import { createFormatError, toGraphQLError } from './graphql.ts';

// What Apollo hands formatError for an error thrown in a resolver.
const internal = (error: unknown) =>
  new GraphQLError(error instanceof Error ? error.message : 'oops', {
    originalError: error instanceof Error ? error : undefined,
    extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['at x'] },
  });

describe('createFormatError', () => {
  it('puts an AppError thrown by a resolver in extensions.code', () => {
    const error = new AppError('NOT_FOUND', 'no such order', { details: { orderId: '9' } });
    const formatted = createFormatError({ maskUnexpected: true })(
      internal(error).toJSON(),
      internal(error),
    );
    expect(formatted.extensions).toEqual({ code: 'NOT_FOUND', orderId: '9' });
    expect(formatted.message).toBe('no such order');
  });

  it('masks an unexpected error and drops its stack trace in production', () => {
    const error = internal(new Error('secret detail'));
    const formatted = createFormatError({ maskUnexpected: true })(error.toJSON(), error);
    expect(formatted).toEqual({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it('keeps protocol errors such as validation failures in production', () => {
    const error = new GraphQLError('Cannot query field "nope"', {
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    const formatted = createFormatError({ maskUnexpected: true })(error.toJSON(), error);
    expect(formatted).toMatchObject({
      message: 'Cannot query field "nope"',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });

  it('passes everything through outside production', () => {
    const error = internal(new Error('secret detail'));
    expect(createFormatError({ maskUnexpected: false })(error.toJSON(), error)).toEqual(
      error.toJSON(),
    );
  });
});

describe('toGraphQLError', () => {
  it('carries the catalogue code and field errors', () => {
    const error = toGraphQLError(
      new AppError('BAD_USER_INPUT', 'bad', { errors: [{ pointer: '/first', detail: 'too big' }] }),
    );
    expect(error.extensions).toEqual({
      code: 'BAD_USER_INPUT',
      errors: [{ pointer: '/first', detail: 'too big' }],
    });
  });

  it('hides anything that is not an AppError', () => {
    const error = toGraphQLError(new TypeError('x is undefined'));
    expect(error.message).toBe('Internal server error');
    expect(error.extensions['code']).toBe('INTERNAL_SERVER_ERROR');
  });
});
