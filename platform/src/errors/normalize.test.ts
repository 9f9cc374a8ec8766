import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { AppError } from './AppError.ts';
import { normalizeError, upstreamAnswerError } from './normalize.ts';
import { UpstreamError } from './UpstreamError.ts';

const withCode = (code: string) => Object.assign(new Error(code), { code });

describe('normalizeError', () => {
  it('keeps a deliberate error as it is', () => {
    const error = new AppError('NOT_FOUND', 'no such order');
    expect(normalizeError(error)).toBe(error);
  });

  it("gives framework errors (body-parser, express) the client's codes", () => {
    const parse = Object.assign(new Error('Unexpected token'), {
      status: 400,
      type: 'entity.parse.failed',
    });
    expect(normalizeError(parse)).toMatchObject({
      code: 'BAD_USER_INPUT',
      message: 'Malformed JSON body',
    });
    expect(normalizeError(Object.assign(new Error('too big'), { status: 413 }))?.code).toBe(
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('names the upstream of a timeout, a refused connection and an open circuit', () => {
    const options = { upstream: 'supplier', retryAfterSeconds: 10 };
    expect(normalizeError(new TaskCancelledError(), options)).toMatchObject({
      code: 'UPSTREAM_TIMEOUT',
      upstream: 'supplier',
    });
    expect(
      normalizeError(new DOMException('The operation timed out', 'TimeoutError'), options)?.code,
    ).toBe('UPSTREAM_TIMEOUT');
    expect(
      normalizeError(new TypeError('fetch failed', { cause: withCode('ECONNREFUSED') }), options),
    ).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { retryAfterSeconds: 10 } });
    expect(normalizeError(new BrokenCircuitError(), options)).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      details: { upstream: 'supplier', retryAfterSeconds: 10 },
    });
  });

  it('calls anything else a bug, to be masked — a network error too, when no upstream is named', () => {
    expect(normalizeError(new TypeError('x is undefined'))).toBeUndefined();
    expect(normalizeError(withCode('ECONNREFUSED'))).toBeUndefined();
    expect(normalizeError('a string')).toBeUndefined();
  });

  it('keeps a catalogue code a GraphQL error already carries, never INTERNAL_SERVER_ERROR', () => {
    const coded = new GraphQLError('bad id', { extensions: { code: 'BAD_USER_INPUT' } });
    expect(normalizeError(coded)).toMatchObject({ code: 'BAD_USER_INPUT', message: 'bad id' });
    const internal = new GraphQLError('boom', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(normalizeError(internal)).toBeUndefined();
  });
});

describe('upstreamAnswerError', () => {
  it('keeps the code, data and field errors of an upstream that speaks our catalogue (problem+json)', () => {
    const error = upstreamAnswerError('soap-proxy', {
      status: 422,
      body: {
        type: 'https://manifold.dev/errors/upstream-rejected',
        title: 'Upstream rejected the request',
        status: 422,
        code: 'UPSTREAM_REJECTED',
        detail: 'unknown sku',
        faultDetail: { sku: 'X' },
        errors: [{ pointer: '/sku', detail: 'unknown' }],
      },
    });
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({
      code: 'UPSTREAM_REJECTED',
      message: 'unknown sku',
      upstream: 'soap-proxy',
      transient: false,
      details: { upstream: 'soap-proxy', faultDetail: { sku: 'X' } },
      errors: [{ pointer: '/sku', detail: 'unknown' }],
    });
  });

  it("keeps a subgraph's coded GraphQL error, without its HTTP extension", () => {
    const error = upstreamAnswerError('users', {
      status: 400,
      body: { errors: [{ message: 'bad id', extensions: { code: 'BAD_USER_INPUT', http: {} } }] },
    });
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', message: 'bad id' });
    expect(error.details).toEqual({ upstream: 'users' });
  });

  it('judges an answer in no language of ours by its status', () => {
    expect(upstreamAnswerError('legacy', { status: 502, body: '<html>' })).toMatchObject({
      code: 'UPSTREAM_ERROR',
      transient: true,
    });
    expect(
      upstreamAnswerError('legacy', { status: 503, retryAfterMs: 4_000 }).details,
    ).toMatchObject({ retryAfterSeconds: 4 });
    expect(upstreamAnswerError('legacy', { status: 504 }).code).toBe('UPSTREAM_TIMEOUT');
  });
});
