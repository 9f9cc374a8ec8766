import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPhpServer, type PhpServer } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type ServiceProcess } from '../support/processes.ts';
import { graphql, startStack, type Stack } from '../support/stack.ts';
import { startSupplierChain, type SupplierChain } from '../support/supplier-chain.ts';

interface StockData {
  products: {
    edges: {
      node: {
        sku: string;
        name: string;
        supplierStock: { available: number; warehouse: string; updatedAt: string } | null;
      };
    }[];
  };
}
const query = (first: number) =>
  `{ products(first: ${first}) { edges { node { sku name supplierStock { available warehouse updatedAt } } } } }`;

/** The PHP supplier's own test hooks: failure plans and a count of the SOAP calls it served. */
const hooks = (supplier: PhpServer) => ({
  reset: () => fetch(`${supplier.url}/_test/reset`, { method: 'POST', body: '{}' }),
  plan: (plan: { operation: string; mode: 'http503'; times: number }) =>
    fetch(`${supplier.url}/_test/plan`, { method: 'POST', body: JSON.stringify(plan) }),
  calls: async (operation: string) =>
    (
      (await (await fetch(`${supplier.url}/_test/calls?operation=${operation}`)).json()) as {
        count: number;
      }
    ).count,
});

describe('Product.supplierStock: gateway → products → soap-proxy → PHP SOAP supplier', () => {
  let supplier: PhpServer;
  let proxy: ServiceProcess;
  let chain: SupplierChain;
  /** A partner's token, to ask soap-proxy directly. */
  let partnerToken: string;
  let stack: Stack;

  beforeAll(async () => {
    supplier = await startPhpServer({
      router: join(REPO_ROOT, 'upstreams/soap-supplier/router.php'),
      env: {
        SUPPLIER_DATABASE_PATH: join(
          mkdtempSync(join(tmpdir(), 'supplier-e2e-')),
          'supplier.sqlite',
        ),
      },
    });
    chain = await startSupplierChain(supplier.url);
    proxy = chain.proxy;
    partnerToken = await chain.partnerToken();
    stack = await startStack({ subgraphEnv: { products: chain.productsEnv } });
  });
  afterAll(async () => {
    await stack.stop();
    await chain.stop();
    await supplier.stop();
  });

  it("answers each product's live supplier stock in one request", async () => {
    const { body } = await graphql<StockData>(stack.gateway.url, query(3));
    expect(body.errors).toBeUndefined();
    const edges = body.data?.products.edges ?? [];
    expect(edges).toHaveLength(3);
    for (const { node } of edges) {
      // Straight from the supplier, for comparison.
      const direct = await fetch(`${proxy.url}/api/v1/supplier/GetStockLevel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${partnerToken}` },
        body: JSON.stringify({ sku: node.sku }),
      });
      const { level } = (await direct.json()) as {
        level: { available: number; warehouse: string };
      };
      expect(node.supplierStock).toMatchObject({
        available: level.available,
        warehouse: level.warehouse,
      });
    }
  });

  it('makes exactly one GetStockLevels call to the supplier for a request with many products', async () => {
    const supplierHooks = hooks(supplier);
    await supplierHooks.reset();
    const { body } = await graphql<StockData>(stack.gateway.url, query(100));
    expect(body.errors).toBeUndefined();
    const edges = body.data?.products.edges ?? [];
    expect(edges).toHaveLength(100);
    expect(edges.every(({ node }) => node.supplierStock !== null)).toBe(true);
    expect(await supplierHooks.calls('GetStockLevels')).toBe(1);
    expect(await supplierHooks.calls('GetStockLevel')).toBe(0);
  });

  it("waits out soap-proxy's retries: a supplier that fails three times, then answers, still yields stock", async () => {
    const supplierHooks = hooks(supplier);
    await supplierHooks.reset();
    // The shipped services.json makes 4 attempts; each 503 carries Retry-After: 1, so the proxy
    // needs over 3 s to get its answer.
    await supplierHooks.plan({ operation: 'GetStockLevels', mode: 'http503', times: 3 });
    const { body } = await graphql<StockData>(stack.gateway.url, query(5)); // a page not cached yet
    expect(body.errors).toBeUndefined();
    const edges = body.data?.products.edges ?? [];
    expect(edges.map(({ node }) => node.supplierStock !== null)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(await supplierHooks.calls('GetStockLevels')).toBe(4);
  });

  it('keeps the rest of the product when the supplier is down: supplierStock null with a typed error', async () => {
    await supplier.stop();
    // Another page: not in soap-proxy's cache, so the supplier really is asked.
    const { body } = await graphql<StockData>(stack.gateway.url, query(4));
    const edges = body.data?.products.edges ?? [];
    expect(edges).toHaveLength(4);
    expect(edges.map(({ node }) => node.supplierStock)).toEqual([null, null, null, null]);
    expect(edges.every(({ node }) => node.name.length > 0)).toBe(true);
    const error = body.errors?.[0];
    expect(error?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');
    expect(error?.extensions?.['serviceName']).toBe('products');
  });
});
