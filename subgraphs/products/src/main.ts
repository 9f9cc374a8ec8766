import { configOrExit, loadEnv } from '@manifold/platform/config';
import { serveSubgraph } from '@manifold/platform/graphql';
import { createApp } from './app.ts';
import { createSupplierStockClient } from './clients/supplier-stock.ts';
import { ProductsEnv } from './config.ts';
import { openProductsDatabase } from './data/database.ts';

const env = configOrExit(() => loadEnv(ProductsEnv));
const supplier = createSupplierStockClient({
  baseUrl: env.SOAP_PROXY_URL,
  timeoutMs: env.SUPPLIER_STOCK_TIMEOUT_MS,
});
await serveSubgraph({
  name: 'products',
  env,
  createApp: (deps) => createApp({ ...deps, supplier }),
  openDatabase: () => openProductsDatabase({ path: env.PRODUCTS_DATABASE_PATH }),
});
