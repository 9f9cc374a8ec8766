import { describe, expect, it } from 'vitest';
import { AppError } from './AppError.ts';
import { errorCatalog } from './codes.ts';
import { toProblem } from './problem.ts';

describe('toProblem', () => {
  it('renders an AppError as RFC 9457 problem details with its catalogue status and field pointers', () => {
    const error = new AppError('BAD_USER_INPUT', 'limit is out of range', {
      errors: [{ pointer: '/limit', detail: 'must be ≤ 100' }],
    });
    expect(toProblem(error, { instance: '/api/v1/x', maskUnexpected: true })).toEqual({
      type: 'https://manifold.dev/errors/bad-user-input',
      title: errorCatalog.BAD_USER_INPUT.title,
      status: 400,
      code: 'BAD_USER_INPUT',
      detail: 'limit is out of range',
      instance: '/api/v1/x',
      errors: [{ pointer: '/limit', detail: 'must be ≤ 100' }],
    });
  });

  it('masks the message of an unexpected error in production', () => {
    const problem = toProblem(new Error('db password is hunter2'), { maskUnexpected: true });
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL_SERVER_ERROR' });
    expect(JSON.stringify(problem)).not.toContain('hunter2');
  });

  it('keeps the message of an unexpected error outside production', () => {
    expect(toProblem(new Error('boom'), { maskUnexpected: false }).detail).toBe('boom');
  });

  it('maps body-parser failures to catalogue codes', () => {
    const parseFailure = Object.assign(new Error('Unexpected token'), {
      status: 400,
      type: 'entity.parse.failed',
    });
    expect(toProblem(parseFailure, { maskUnexpected: true })).toMatchObject({
      status: 400,
      code: 'BAD_USER_INPUT',
      detail: 'Malformed JSON body',
    });
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413 });
    expect(toProblem(tooLarge, { maskUnexpected: true })).toMatchObject({
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    });
  });
});
