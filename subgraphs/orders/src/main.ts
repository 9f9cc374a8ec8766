import { secretFromEnv } from '@manifold/platform/auth';
import { ConfigError, configOrExit, loadEnv } from '@manifold/platform/config';
import { serveSubgraph } from '@manifold/platform/graphql';
import { createApp } from './app.ts';
import { OrdersEnv } from './config.ts';
import { openOrdersDatabase } from './data/database.ts';
import { startOutboxRelay } from '@manifold/platform/events';

const env = configOrExit(() => loadEnv(OrdersEnv));
const eventsSecret = configOrExit(() => {
  const secret = secretFromEnv(process.env, 'ORDERS_EVENTS_SECRET');
  if (env.ORDERS_EVENTS_URL !== undefined && secret === undefined)
    throw new ConfigError([
      'ORDERS_EVENTS_SECRET (or _FILE): required with ORDERS_EVENTS_URL — the whsec_ secret of the webhooks service’s manifold source',
    ]);
  return secret;
});
await serveSubgraph({
  name: 'orders',
  env,
  createApp: async (deps) => {
    const { app, close } = await createApp(deps);
    if (env.ORDERS_EVENTS_URL === undefined || eventsSecret === undefined) {
      deps.logger.warn(
        'ORDERS_EVENTS_URL not set: order events are kept in the outbox, not sent to the webhooks service',
      );
      return { app, close };
    }
    const relay = startOutboxRelay({
      db: deps.db,
      url: env.ORDERS_EVENTS_URL,
      secret: eventsSecret,
      logger: deps.logger,
    });
    return {
      app,
      close: async () => {
        await relay.close();
        await close();
      },
    };
  },
  openDatabase: () => openOrdersDatabase({ path: env.ORDERS_DATABASE_PATH }),
});
