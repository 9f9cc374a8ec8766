import { fileURLToPath } from 'node:url';
import { worstCaseCallMs } from '@manifold/platform/resilience';
import { describe, expect, it } from 'vitest';
import { GatewayEnv } from '../gateway/src/config.ts';
import { loadProxyConfig } from '../soap-proxy/src/config.ts';
import { ProductsEnv } from '../subgraphs/products/src/config.ts';

// What each hop of gateway → products → soap-proxy → SOAP supplier waits for, as shipped. Each
// caller must wait longer than its callee can take, with room for the hop itself; otherwise it
// gives up while the callee is still about to succeed, and the gateway drops a whole product
// instead of its supplierStock field.
const HOP_MARGIN_MS = 500;

describe('the timeout chain, gateway → products → soap-proxy → supplier', () => {
  const proxy = loadProxyConfig(
    fileURLToPath(new URL('../soap-proxy/services.json', import.meta.url)),
    { SUPPLIER_URL: 'http://127.0.0.1:8081/' },
  );
  const supplier = proxy.services.find((service) => service.name === 'supplier');
  const products = ProductsEnv.parse({});
  const gateway = GatewayEnv.parse({});

  it("soap-proxy's longest GetStockLevels call ends before the products subgraph stops waiting", () => {
    expect(supplier).toBeDefined();
    const longestCall = worstCaseCallMs({
      timeoutMs: supplier!.timeoutMs,
      ...supplier!.resilience,
    });
    expect(longestCall + HOP_MARGIN_MS).toBeLessThanOrEqual(products.SUPPLIER_STOCK_TIMEOUT_MS);
  });

  it("the products subgraph's wait ends before the gateway gives up on the subgraph", () => {
    expect(products.SUPPLIER_STOCK_TIMEOUT_MS + HOP_MARGIN_MS).toBeLessThanOrEqual(
      gateway.SUBGRAPH_TIMEOUT_MS,
    );
  });
});
