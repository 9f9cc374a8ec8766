import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { post, startProxy, startSupplier, type Supplier } from './support.ts';

let supplier: Supplier;
beforeAll(async () => {
  supplier = await startSupplier();
});
afterAll(async () => {
  await supplier.stop();
});
beforeEach(async () => {
  await supplier.reset();
});

const service = (upstreamLimit: Record<string, unknown>) => ({
  endpoint: `${supplier.url}/`,
  resilience: { maxAttempts: 3 },
  operations: { GetStockLevel: { safe: true, cacheTtlSeconds: 0 } },
  upstreamLimit,
});

describe("respecting the supplier's rate limit (services.json upstreamLimit)", () => {
  it('answers 503 with Retry-After when the supplier asks for a longer pause than the budget, without calling it meanwhile', async () => {
    const proxy = await startProxy(service({ waitBudgetMs: 200 }));
    try {
      await supplier.plan({
        operation: 'GetStockLevel',
        mode: 'http429',
        retryAfterSeconds: 5,
        times: 1,
      });
      const first = await post(proxy, 'GetStockLevel', { sku: 'SKU-00001' });
      expect(first.status).toBe(503);
      expect(first.body['code']).toBe('UPSTREAM_UNAVAILABLE');
      expect(Number(first.headers.get('retry-after'))).toBeGreaterThanOrEqual(4);
      const second = await post(proxy, 'GetStockLevel', { sku: 'SKU-00002' });
      expect(second.status).toBe(503);
      expect(await supplier.calls('GetStockLevel')).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('keeps to the published rate: a call beyond it waits, or fails at once when the wait exceeds its budget', async () => {
    // One call per 5 s: the second call's turn is far beyond a 100 ms budget.
    const proxy = await startProxy(service({ callsPerSecond: '0.2', waitBudgetMs: '100' }));
    try {
      expect((await post(proxy, 'GetStockLevel', { sku: 'SKU-00001' })).status).toBe(200);
      const refused = await post(proxy, 'GetStockLevel', { sku: 'SKU-00002' });
      expect(refused.status).toBe(503);
      expect(refused.body['code']).toBe('UPSTREAM_UNAVAILABLE');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await supplier.calls('GetStockLevel')).toBe(1);
    } finally {
      await proxy.close();
    }
  });
});
