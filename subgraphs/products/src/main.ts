import { createClientCredentials, secretFromEnv } from '@manifold/platform/auth';
import { ConfigError, configOrExit, loadEnv } from '@manifold/platform/config';
import { startOutboxRelay } from '@manifold/platform/events';
import { createLogger } from '@manifold/platform/logging';
import { serveSubgraph } from '@manifold/platform/graphql';
import { createApp } from './app.ts';
import { createSupplierStockClient } from './clients/supplier-stock.ts';
import { ProductsEnv } from './config.ts';
import { openProductsDatabase } from './data/database.ts';
import { startStockWatch } from './events/stock-watch.ts';

const env = configOrExit(() => loadEnv(ProductsEnv));
const clientSecret = configOrExit(() => secretFromEnv(env, 'SOAP_PROXY_CLIENT_SECRET'));
const eventsSecret = configOrExit(() => {
  const secret = secretFromEnv(process.env, 'PRODUCTS_EVENTS_SECRET');
  if (env.PRODUCTS_EVENTS_URL !== undefined && secret === undefined)
    throw new ConfigError([
      'PRODUCTS_EVENTS_SECRET (or _FILE): required with PRODUCTS_EVENTS_URL — the whsec_ secret of the webhooks service’s manifold source',
    ]);
  return secret;
});
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
  createApp: async (deps) => {
    const { app, close } = await createApp({ ...deps, supplier });
    if (env.PRODUCTS_EVENTS_URL === undefined || eventsSecret === undefined) return { app, close };
    // Stock changes at the supplier → the outbox → the webhooks service (stock-watch.ts says why polling).
    const watch = startStockWatch({
      db: deps.db,
      supplier: supplier(),
      logger: deps.logger,
      intervalMs: env.PRODUCTS_STOCK_WATCH_INTERVAL_MS,
    });
    const relay = startOutboxRelay({
      db: deps.db,
      url: env.PRODUCTS_EVENTS_URL,
      secret: eventsSecret,
      logger: deps.logger,
    });
    return {
      app,
      close: async () => {
        await watch.close();
        await relay.close();
        await close();
      },
    };
  },
  openDatabase: () => openProductsDatabase({ path: env.PRODUCTS_DATABASE_PATH }),
});
