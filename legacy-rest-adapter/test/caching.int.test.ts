import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdapter, withRedisReplicas, type Adapter } from './support.ts';

let adapter: Adapter;
beforeAll(async () => {
  adapter = await startAdapter();
});
afterAll(async () => {
  await adapter.close();
});

describe('GET caching and conditional requests', () => {
  it('answers MISS then HIT from the shared cache, private and with a max-age, reaching the monolith once', async () => {
    await fetch(`${adapter.monolith.url}/_test/reset`, { method: 'POST' });
    const first = await adapter.get('/api/v2/customers/41');
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(first.headers.get('cache-control')).toBe('private, max-age=60');
    const second = await adapter.get('/api/v2/customers/41');
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.body).toEqual(first.body);
    expect(await adapter.legacyCalls('customer')).toBe(1);
  });

  it('answers 304 without a body when If-None-Match carries the current strong ETag', async () => {
    const { headers } = await adapter.get('/api/v2/invoices/42');
    const etag = headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{32}"$/);
    const revalidated = await fetch(`${adapter.url}/api/v2/invoices/42`, {
      headers: { 'if-none-match': etag },
    });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    const changed = await adapter.get('/api/v2/invoices/42', {
      'if-none-match': '"something-else"',
    });
    expect(changed.status).toBe(200);
  });

  it('shares one legacy read between v1 and v2, with a different ETag per representation', async () => {
    await fetch(`${adapter.monolith.url}/_test/reset`, { method: 'POST' });
    const v1 = await adapter.get('/api/v1/invoices/43');
    const v2 = await adapter.get('/api/v2/invoices/43');
    expect(v1.headers.get('etag')).not.toBe(v2.headers.get('etag'));
    expect(await adapter.legacyCalls('invoice')).toBe(1);
  });

  it('answers a repeat from the rendered copy, with the same deprecation headers, whichever way v1 was asked for', async () => {
    await fetch(`${adapter.monolith.url}/_test/reset`, { method: 'POST' });
    const first = await adapter.get('/api/v1/customers/44');
    const viaHeader = await adapter.get('/api/customers/44', { 'api-version': '1' });
    expect(viaHeader.headers.get('x-cache')).toBe('HIT');
    expect(viaHeader.body).toEqual(first.body);
    for (const header of ['deprecation', 'sunset', 'link', 'etag'])
      expect(viaHeader.headers.get(header), header).toBe(first.headers.get(header));
    expect(await adapter.legacyCalls('customer')).toBe(1);
  });

  it('lets a second replica answer from Redis what the first one read', async () => {
    await withRedisReplicas(async (a, b) => {
      expect((await a.get('/api/v2/customers/77')).headers.get('x-cache')).toBe('MISS');
      expect((await b.get('/api/v2/customers/77')).headers.get('x-cache')).toBe('HIT');
    });
  });

  it('drops in Redis what a write changed, so a client reads its own write from any replica', async () => {
    await withRedisReplicas(async (a, b) => {
      const created = await a.request('POST', '/api/v2/tickets', {
        body: { customerId: 31, subject: 'Zwischen Repliken' },
        headers: { 'idempotency-key': randomUUID() },
      });
      const path = `/api/v2/tickets/${String(created.body['id'])}`;
      await b.get(path); // B renders and caches it…
      const cached = await b.get(path);
      expect(cached.headers.get('x-cache')).toBe('HIT');
      const etag = cached.headers.get('etag')!;
      // …A changes it…
      expect((await a.request('PATCH', path, { body: { status: 'closed' } })).status).toBe(200);
      // …and B answers the new state, with a new ETag (so a revalidating client gets 200, not 304).
      const after = await b.get(path, { 'if-none-match': etag });
      expect(after.status).toBe(200);
      expect(after.body['status']).toBe('closed');
      expect(after.headers.get('etag')).not.toBe(etag);
    });
  });
});
