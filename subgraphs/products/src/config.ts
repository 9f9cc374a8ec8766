import { fileURLToPath } from 'node:url';
import { BaseEnv, httpUrl, port } from '@manifold/platform/config';
import { GatewayIdentityEnv } from '@manifold/platform/auth';
import { DEFAULT_PORTS } from '@manifold/platform/contracts';
import { z } from 'zod';

export const ProductsEnv = BaseEnv.extend({
  ...GatewayIdentityEnv.shape,
  PORT: port(DEFAULT_PORTS.products),
  /** SQLite file, created and seeded on first start. */
  PRODUCTS_DATABASE_PATH: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../../.data/products.sqlite', import.meta.url))),
  /** soap-proxy, for Product.supplierStock. */
  SOAP_PROXY_URL: httpUrl().default('http://127.0.0.1:4100'),
  /**
   * Longest wait for supplier stock: long enough for soap-proxy's retries, below the gateway's
   * SUBGRAPH_TIMEOUT_MS (test/timeout-chain.test.ts checks the order).
   */
  SUPPLIER_STOCK_TIMEOUT_MS: z.coerce.number().int().positive().default(8_000), // 8 seconds
  /**
   * soap-proxy wants a bearer token: this subgraph gets one from this OAuth 2.0 token endpoint
   * (client credentials), cached until shortly before it expires. Unset: no credentials sent.
   */
  SOAP_PROXY_TOKEN_URL: httpUrl().optional(),
  SOAP_PROXY_CLIENT_ID: z.string().min(1).default('products-subgraph'),
  /** The client secret (or SOAP_PROXY_CLIENT_SECRET_FILE, re-read when it changes). */
  SOAP_PROXY_CLIENT_SECRET: z.string().min(1).optional(),
  SOAP_PROXY_CLIENT_SECRET_FILE: z.string().min(1).optional(),
  SOAP_PROXY_SCOPE: z.string().min(1).default('supplier:read'),
  /**
   * The webhooks service's internal source for Manifold's own events, e.g.
   * http://127.0.0.1:4300/hooks/manifold. Set: this subgraph watches supplier stock and sends
   * `product.stock_changed` there (signed with PRODUCTS_EVENTS_SECRET or _FILE, whsec_).
   * Unset: no watching, no stock events.
   */
  PRODUCTS_EVENTS_URL: z.url().optional(),
  /** Pause between two rounds of asking the supplier for every product's stock. */
  PRODUCTS_STOCK_WATCH_INTERVAL_MS: z.coerce.number().int().positive().default(60_000), // 1 minute
});
export type ProductsEnv = z.infer<typeof ProductsEnv>;
