import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import * as content from '@manifold/content';
import * as orders from '@manifold/orders';
import type { SqliteDatabase } from '@manifold/platform/data';
import * as products from '@manifold/products';
import { composeSupergraph } from '@manifold/schema/compose';
import * as users from '@manifold/users';
import { supergraphForEnforcedAuthorization } from '../../gateway/src/authorization/directives.ts';
import { InProcessSubgraph, type SubgraphModule } from './in-process-subgraph.ts';

export interface InProcessGraph {
  server: ApolloServer;
  databases: Record<'users' | 'products' | 'orders' | 'content', SqliteDatabase>;
  stop: () => Promise<void>;
}

/**
 * All four subgraphs and the gateway's query planner in one process, no sockets (full-size seed,
 * in memory): planning and batching, not authorization — this harness has no authorization
 * plugin, so every field is served (the real gateway's enforcement: test/authorization.test.ts).
 */
export async function startInProcessGraph(): Promise<InProcessGraph> {
  const composed = composeSupergraph();
  if (!composed.ok) throw new Error(`composition failed:\n${composed.errors.join('\n')}`);
  const databases = {
    users: users.openUsersDatabase({ path: ':memory:' }),
    products: products.openProductsDatabase({ path: ':memory:' }),
    orders: orders.openOrdersDatabase({ path: ':memory:' }),
    content: content.openContentDatabase({ path: ':memory:' }),
  };
  const modules: Record<keyof typeof databases, SubgraphModule<unknown>> = {
    users: users as unknown as SubgraphModule<unknown>,
    products: products as unknown as SubgraphModule<unknown>,
    orders: orders as unknown as SubgraphModule<unknown>,
    content: content as unknown as SubgraphModule<unknown>,
  };
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphForEnforcedAuthorization(composed.supergraphSdl),
    buildService: ({ name }) => {
      const key = name as keyof typeof databases;
      return new InProcessSubgraph(modules[key], databases[key]);
    },
  });
  const server = new ApolloServer({ gateway });
  await server.start();
  return {
    server,
    databases,
    stop: async () => {
      await server.stop();
      for (const db of Object.values(databases)) db.close();
    },
  };
}
