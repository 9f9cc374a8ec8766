import { createCache } from '@manifold/platform/cache';
import { AppError } from '@manifold/platform/errors';
import type { EdgeMiddleware } from '@manifold/platform/http';
import { silentLogger } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdapter, type Adapter } from './support.ts';

// A check in front of the adapter's API that only callers sending `x-test-caller: allowed` pass.
const callerCheck: EdgeMiddleware = (req) => {
  if (req.url?.startsWith('/api/') && req.headers['x-test-caller'] !== 'allowed')
    throw new AppError('FORBIDDEN', 'This caller may not read customers', {
      headers: { 'www-authenticate': 'Bearer error="insufficient_scope"' },
    });
};

describe('the edge seam: checks in front of the whole adapter, its resource cache included', () => {
  const cache = createCache({ namespace: 'legacy-rest-adapter', logger: silentLogger() });
  let open: Adapter;
  let guarded: Adapter;
  beforeAll(async () => {
    open = await startAdapter({ cache });
    // A second adapter over the same monolith and the same cache, with the check in front.
    guarded = await startAdapter({ cache, monolith: open.monolith, edge: [callerCheck] });
  });
  afterAll(async () => {
    await guarded.close();
    await open.close();
  });

  it('refuses a caller the check refuses even when a fresh copy of the answer is cached', async () => {
    await open.get('/api/v2/customers/51');
    expect((await open.get('/api/v2/customers/51')).headers.get('x-cache')).toBe('HIT');

    const refused = await fetch(`${guarded.url}/api/v2/customers/51`, {
      headers: { 'x-request-id': 'edge-1' },
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    expect(refused.headers.get('x-request-id')).toBe('edge-1');
    expect(await refused.json()).toMatchObject({ code: 'FORBIDDEN', status: 403 });

    const allowed = await guarded.get('/api/v2/customers/51', { 'x-test-caller': 'allowed' });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('x-cache')).toBe('HIT');
  });
});
