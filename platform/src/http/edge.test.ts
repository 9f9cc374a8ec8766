import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.ts';
import { silentLogger } from '../testing/logger.ts';
import { withEdge, type EdgeMiddleware } from './edge.ts';

/** A request/response pair that records what was written. */
function exchange(headers: Record<string, string> = {}) {
  const written: { status?: number; headers?: Record<string, string>; body?: string | undefined } =
    {};
  const req = { url: '/api/x', headers } as unknown as IncomingMessage;
  const state = { headersSent: false, writableEnded: false };
  const res = Object.assign(state, {
    writeHead(status: number, outgoing: Record<string, string> = {}) {
      written.status = status;
      written.headers = outgoing;
      return res;
    },
    end(body?: string) {
      written.body = body;
      state.writableEnded = true;
      return res;
    },
  }) as unknown as ServerResponse;
  return { req, res, written };
}

const options = { logger: silentLogger(), maskUnexpected: true };

describe('withEdge', () => {
  it('runs sync and async checks in order, then the app', async () => {
    const order: string[] = [];
    const sync: EdgeMiddleware = () => {
      order.push('sync');
    };
    const later: EdgeMiddleware = async () => {
      await Promise.resolve();
      order.push('async');
    };
    const done = new Promise<void>((resolve) => {
      const handler = withEdge(
        [sync, later],
        () => {
          order.push('app');
          resolve();
        },
        options,
      );
      const { req, res } = exchange();
      handler(req, res);
    });
    await done;
    expect(order).toEqual(['sync', 'async', 'app']);
  });

  it('answers a refusal as problem+json with its headers and the request id, and never calls the app', async () => {
    let reached = false;
    const refuse: EdgeMiddleware = () =>
      Promise.reject(
        new AppError('RATE_LIMITED', 'slow down', {
          details: { retryAfterSeconds: 2 },
          headers: { ratelimit: '"default";r=0;t=2' },
        }),
      );
    const { req, res, written } = exchange({ 'x-request-id': 'abc' });
    withEdge([refuse], () => (reached = true), options)(req, res);
    await new Promise((resolve) => setImmediate(resolve));
    expect(reached).toBe(false);
    expect(written.status).toBe(429);
    expect(written.headers).toMatchObject({
      'content-type': 'application/problem+json',
      'retry-after': '2',
      ratelimit: '"default";r=0;t=2',
      'x-request-id': 'abc',
    });
    expect(JSON.parse(written.body!)).toMatchObject({ code: 'RATE_LIMITED', instance: '/api/x' });
  });

  it('masks an unexpected failure of a check', () => {
    const broken: EdgeMiddleware = () => {
      throw new Error('db password leaked');
    };
    const { req, res, written } = exchange();
    withEdge([broken], () => undefined, options)(req, res);
    expect(written.status).toBe(500);
    expect(written.body).not.toContain('password');
  });

  it('stops when a check answered the request itself', () => {
    let reached = false;
    const answers: EdgeMiddleware = (_req, res) => {
      res.writeHead(204).end();
    };
    const { req, res, written } = exchange();
    withEdge([answers], () => (reached = true), options)(req, res);
    expect(reached).toBe(false);
    expect(written.status).toBe(204);
  });
});
