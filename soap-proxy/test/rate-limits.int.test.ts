import {
  authenticationEdge,
  compileAccessFile,
  createAuthenticator,
  generateApiKey,
  resourceScopes,
  staticAccessPolicy,
} from '@manifold/platform/auth';
import { createRateLimiter, createRateLimits, rateLimitEdge } from '@manifold/platform/rate-limit';
import { silentLogger } from '@manifold/platform/testing';
import { Keyv } from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProxy, startSupplier, type Proxy, type Supplier } from './support.ts';

const key = generateApiKey();
const access = staticAccessPolicy(
  compileAccessFile({
    tiers: {
      partner: {
        rateLimits: [{ name: 'partner', requests: 3, windowSeconds: 60 }],
        routes: {
          'POST /api/v1/supplier/GetPrice': [{ name: 'prices', requests: 1, windowSeconds: 60 }],
        },
      },
    },
    defaultTier: 'partner',
    clients: {
      acme: {
        tier: 'partner',
        scopes: ['supplier:read', 'supplier:write'],
        keys: [{ id: key.id, hash: key.hash }],
        certificates: [],
      },
    },
  }),
);

let supplier: Supplier;
let proxy: Proxy;
beforeAll(async () => {
  supplier = await startSupplier();
  // In memory (no REDIS_URL): one process counts alone.
  const limits = createRateLimits({
    limiter: createRateLimiter({ namespace: 'soap-proxy', logger: silentLogger() }),
    access,
    logger: silentLogger(),
  });
  proxy = await startProxy(
    {
      endpoint: `${supplier.url}/`,
      operations: { GetStockLevel: { safe: true }, GetPrice: { safe: true } },
    },
    new Keyv(),
    {
      edge: [
        authenticationEdge({
          authenticate: createAuthenticator({ access }),
          scopesFor: resourceScopes(),
        }),
        rateLimitEdge(limits),
      ],
    },
  );
});
afterAll(async () => {
  await proxy.close();
  await supplier.stop();
});

const call = (operation: string, body: unknown) =>
  fetch(`${proxy.url}/api/v1/supplier/${operation}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key.key },
    body: JSON.stringify(body),
  });

describe('per-client rate limits on soap-proxy', () => {
  it("counts a route's own limit on top of the tier's, and refuses with 429 problem+json without calling the supplier", async () => {
    const price = await call('GetPrice', { sku: 'SKU-00001', quantity: 2 });
    expect(price.status).toBe(200);
    expect(price.headers.get('ratelimit-policy')).toBe('"partner";q=3;w=60, "prices";q=1;w=60');
    await price.body?.cancel();
    const calls = await supplier.calls('GetPrice');

    const refused = await call('GetPrice', { sku: 'SKU-00002', quantity: 2 });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({
      code: 'RATE_LIMITED',
      violatedPolicies: ['prices'],
    });
    expect(await supplier.calls('GetPrice')).toBe(calls);

    // The tier's third and last request, then its own refusal.
    const stock = await call('GetStockLevel', { sku: 'SKU-00001' });
    expect(stock.status).toBe(200);
    expect(stock.headers.get('ratelimit')).toMatch(/^"partner";r=0;t=\d+$/);
    await stock.body?.cancel();
    const over = await call('GetStockLevel', { sku: 'SKU-00001' });
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({
      code: 'RATE_LIMITED',
      violatedPolicies: ['partner'],
    });
  });
});
