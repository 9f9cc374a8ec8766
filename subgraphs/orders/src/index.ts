import { defineSubgraph } from '@manifold/platform/graphql';
import type { OrdersContext } from './context.ts';
import { resolvers } from './resolvers/index.ts';

/** The orders subgraph as a module: what composition, the federation test and app.ts consume. */
export const subgraph = defineSubgraph<OrdersContext>({
  name: 'orders',
  schemaUrl: new URL('schema.graphql', import.meta.url),
  resolvers,
});
export const { name, sdl, typeDefs } = subgraph;
export { resolvers };
export { createContext, type OrdersContext } from './context.ts';
export { openOrdersDatabase } from './data/database.ts';
