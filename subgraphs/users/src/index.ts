import { defineSubgraph } from '@manifold/platform/graphql';
import type { UsersContext } from './context.ts';
import { resolvers } from './resolvers/index.ts';

/** The users subgraph as a module: what composition, the federation test and app.ts consume. */
export const subgraph = defineSubgraph<UsersContext>({
  name: 'users',
  schemaUrl: new URL('schema.graphql', import.meta.url),
  resolvers,
});
export const { name, sdl, typeDefs } = subgraph;
export { resolvers };
export { createContext, type UsersContext } from './context.ts';
export { openUsersDatabase } from './data/database.ts';
