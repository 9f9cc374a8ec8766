import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdapter, type Adapter } from './support.ts';

let adapter: Adapter;
beforeAll(async () => {
  adapter = await startAdapter();
});
afterAll(async () => {
  await adapter.close();
});
const reset = () => fetch(`${adapter.monolith.url}/_test/reset`, { method: 'POST' });

describe('what the monolith gets wrong, as the mobile apps see it', () => {
  it('turns an unknown "200 + status:error" into 502 UPSTREAM_ERROR, without retrying it or leaking the message', async () => {
    await reset();
    await adapter.plan({ operation: 'customer', mode: 'fault', times: 1 }); // "Database error: SQLSTATE…"
    const failed = await adapter.get('/api/v2/customers/801');
    expect(failed.status).toBe(502);
    expect(failed.headers.get('content-type')).toContain('application/problem+json');
    expect(failed.body['code']).toBe('UPSTREAM_ERROR');
    expect(JSON.stringify(failed.body)).not.toContain('SQLSTATE'); // masked in production
    expect(await adapter.legacyCalls('customer')).toBe(1);
  });

  it('answers a legacy HTTP 500 with 502 UPSTREAM_ERROR, called once (a 500 is not transient)', async () => {
    await reset();
    await adapter.plan({ operation: 'customer', mode: 'http500', times: 1 });
    const failed = await adapter.get('/api/v2/customers/802');
    expect(failed.status).toBe(502);
    expect(failed.body['code']).toBe('UPSTREAM_ERROR');
    expect(await adapter.legacyCalls('customer')).toBe(1);
    // Nothing was cached from the failure: the next read succeeds.
    expect((await adapter.get('/api/v2/customers/802')).status).toBe(200);
  });

  it('never hands the legacy session to a client', async () => {
    for (const path of [
      '/api/v2/customers/803',
      '/api/v1/invoices/803',
      '/api/v2/tickets?limit=1',
    ]) {
      const answer = await adapter.get(path);
      expect(answer.headers.get('set-cookie'), path).toBeNull();
      expect(JSON.stringify(answer.body), path).not.toMatch(/PHPSESSID|csrf/i);
    }
  });
});
