import { fileURLToPath } from 'node:url';
import { BaseEnv, httpUrl } from '@manifold/platform/config';
import { z } from 'zod';

export const ProductsEnv = BaseEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65_535).default(4002),
  /** SQLite file, created and seeded on first start. */
  PRODUCTS_DATABASE_PATH: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../../.data/products.sqlite', import.meta.url))),
  /** soap-proxy, for Product.supplierStock. */
  SOAP_PROXY_URL: httpUrl().default('http://127.0.0.1:4100'),
  /**
   * Longest wait for supplier stock: long enough for soap-proxy's retries, below the gateway's
   * SUBGRAPH_TIMEOUT_MS (the arithmetic is in clients/supplier-stock.ts).
   */
  SUPPLIER_STOCK_TIMEOUT_MS: z.coerce.number().int().positive().default(8_000), // 8 seconds
});
export type ProductsEnv = z.infer<typeof ProductsEnv>;
