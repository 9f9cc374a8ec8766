import { configOrExit, loadEnv } from '@manifold/platform/config';
import { serveSubgraph } from '@manifold/platform/graphql';
import { createApp } from './app.ts';
import { OrdersEnv } from './config.ts';
import { openOrdersDatabase } from './data/database.ts';

const env = configOrExit(() => loadEnv(OrdersEnv));
await serveSubgraph({
  name: 'orders',
  env,
  createApp,
  openDatabase: () => openOrdersDatabase({ path: env.ORDERS_DATABASE_PATH }),
});
