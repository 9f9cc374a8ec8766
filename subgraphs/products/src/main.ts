import { createClientCredentials, secretFromEnv } from '@manifold/platform/auth';
import { configOrExit, loadEnv } from '@manifold/platform/config';
import { createLogger } from '@manifold/platform/logging';
import { serveSubgraph } from '@manifold/platform/graphql';
import { createApp } from './app.ts';
import { createSupplierStockClient } from './clients/supplier-stock.ts';
import { ProductsEnv } from './config.ts';
import { openProductsDatabase } from './data/database.ts';

const env = configOrExit(() => loadEnv(ProductsEnv));
const clientSecret = configOrExit(() => secretFromEnv(env, 'SOAP_PROXY_CLIENT_SECRET'));
const credentials =
  env.SOAP_PROXY_TOKEN_URL && clientSecret
    ? createClientCredentials({
        tokenUrl: env.SOAP_PROXY_TOKEN_URL,
        clientId: env.SOAP_PROXY_CLIENT_ID,
        clientSecret,
        scope: env.SOAP_PROXY_SCOPE,
        logger: createLogger({ service: 'products', level: env.LOG_LEVEL }),
      })
    : undefined;
const supplier = createSupplierStockClient({
  baseUrl: env.SOAP_PROXY_URL,
  timeoutMs: env.SUPPLIER_STOCK_TIMEOUT_MS,
  credentials,
});
await serveSubgraph({
  name: 'products',
  env,
  createApp: (deps) => createApp({ ...deps, supplier }),
  openDatabase: () => openProductsDatabase({ path: env.PRODUCTS_DATABASE_PATH }),
});
