import { defineSubgraph } from '@manifold/platform/graphql';
import type { ContentContext } from './context.ts';
import { resolvers } from './resolvers/index.ts';

/** The content subgraph as a module: what composition, the federation test and app.ts consume. */
export const subgraph = defineSubgraph<ContentContext>({
  name: 'content',
  schemaUrl: new URL('schema.graphql', import.meta.url),
  resolvers,
});
export const { name, sdl, typeDefs } = subgraph;
export { resolvers };
export { createContext, type ContentContext } from './context.ts';
export { openContentDatabase } from './data/database.ts';
