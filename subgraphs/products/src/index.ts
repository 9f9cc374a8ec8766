import { defineSubgraph } from '@manifold/platform/graphql';
import type { ProductsContext } from './context.ts';
import { resolvers } from './resolvers/index.ts';

/** The products subgraph as a module: what composition, the federation test and app.ts consume. */
export const subgraph = defineSubgraph<ProductsContext>({
  name: 'products',
  schemaUrl: new URL('schema.graphql', import.meta.url),
  resolvers,
});
export const { name, sdl, typeDefs } = subgraph;
export { resolvers };
export { createContext, type ProductsContext } from './context.ts';
export { openProductsDatabase } from './data/database.ts';
