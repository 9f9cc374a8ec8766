import type { Server } from 'node:http';
import * as content from '@manifold/content';
import * as orders from '@manifold/orders';
import type { Authenticate } from '@manifold/platform/auth';
import { createCache } from '@manifold/platform/cache';
import type { SqliteDatabase } from '@manifold/platform/data';
import { listen } from '@manifold/platform/http';
import {
  serveGraphQL,
  silentLogger,
  testGatewayIdentity,
  type TestGatewayIdentity,
  type TestGraphQLServer,
} from '@manifold/platform/testing';
import * as products from '@manifold/products';
import { SUPERGRAPH_PATH } from '@manifold/schema/subgraphs';
import * as users from '@manifold/users';
import { createApp as createGateway, type GatewayDeps } from '../../gateway/src/app.ts';
import { subgraphUrlVariable } from '../../gateway/src/config.ts';
import { loadSupergraph } from '../../gateway/src/supergraph.ts';
import { createApp as createContent } from '../../subgraphs/content/src/app.ts';
import { createApp as createOrders } from '../../subgraphs/orders/src/app.ts';
import { createApp as createProducts } from '../../subgraphs/products/src/app.ts';
import { createApp as createUsers } from '../../subgraphs/users/src/app.ts';

export interface GraphOverHttp {
  /** The real gateway (authentication, authorization) over the committed supergraph. */
  gateway: TestGraphQLServer;
  /** Each subgraph's own URL (…/graphql), to call it directly. */
  subgraphUrls: Record<'users' | 'products' | 'orders' | 'content', string>;
  databases: Record<'users' | 'products' | 'orders' | 'content', SqliteDatabase>;
  /** GraphQL requests each subgraph has received so far, counted at the subgraph's socket. */
  subgraphCalls: Record<'users' | 'products' | 'orders' | 'content', number>;
  /** The secret the gateway signs identities with, and its signer. */
  trust: TestGatewayIdentity;
  close(): Promise<void>;
}

/**
 * Our four subgraphs (full-size seed, in memory) each on its own port, and the gateway in front
 * of them over HTTP, as `npm start` runs them; the gateway signs identities the subgraphs check.
 */
export async function startGraphOverHttp({
  authenticate,
  gateway: gatewayOptions = {},
}: {
  authenticate: Authenticate;
  /** More of the gateway's options (limits, trusted documents…). */
  gateway?: Partial<GatewayDeps>;
}): Promise<GraphOverHttp> {
  const trust = testGatewayIdentity();
  const logger = silentLogger('graph');
  const databases = {
    users: users.openUsersDatabase({ path: ':memory:' }),
    products: products.openProductsDatabase({ path: ':memory:' }),
    orders: orders.openOrdersDatabase({ path: ':memory:' }),
    content: content.openContentDatabase({ path: ':memory:' }),
  };
  const deps = { logger, production: true, identity: trust.verifier };
  const apps = {
    users: await createUsers({ ...deps, db: databases.users }),
    products: await createProducts({ ...deps, db: databases.products }),
    orders: await createOrders({ ...deps, db: databases.orders }),
    content: await createContent({ ...deps, db: databases.content }),
  };
  const servers: Server[] = [];
  const subgraphUrls = {} as GraphOverHttp['subgraphUrls'];
  const subgraphCalls = { users: 0, products: 0, orders: 0, content: 0 };
  for (const [name, { app }] of Object.entries(apps) as [
    keyof typeof apps,
    { app: Parameters<typeof listen>[0] },
  ][]) {
    const { server, url } = await listen(app, { port: 0, host: '127.0.0.1' });
    servers.push(server);
    // Before the app's own listener, which rewrites req.url while it routes.
    server.prependListener('request', (req: { url?: string }) => {
      if (req.url?.startsWith('/graphql')) subgraphCalls[name]++;
    });
    subgraphUrls[name] = `${url}/graphql`;
  }
  const overrides = new Map(
    Object.entries(subgraphUrls).map(([name, url]) => [subgraphUrlVariable(name), url]),
  );
  const gatewayApp = await createGateway({
    supergraph: loadSupergraph(SUPERGRAPH_PATH, overrides),
    logger,
    cache: createCache({ namespace: `graph-test-${process.pid}`, logger }),
    production: true,
    authenticate,
    identity: trust.signer,
    ...gatewayOptions,
  });
  const gateway = await serveGraphQL(gatewayApp.app);
  return {
    gateway,
    subgraphUrls,
    databases,
    subgraphCalls,
    trust,
    close: async () => {
      await gateway.close();
      await gatewayApp.close();
      for (const server of servers) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      for (const { close } of Object.values(apps)) await close();
      for (const db of Object.values(databases)) db.close();
    },
  };
}
