import { readFileSync } from 'node:fs';
import type { BaseContext } from '@apollo/server';
import type { GraphQLResolverMap } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';

export interface DefinedSubgraph<TContext extends BaseContext> {
  name: string;
  /** The SDL exactly as the team wrote it (schema/ composes from the same file). */
  sdl: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<TContext>;
}

/** A subgraph module from its SDL file and resolvers: what composition, tests and app.ts consume. */
export function defineSubgraph<TContext extends BaseContext>({
  name,
  schemaUrl,
  resolvers,
}: {
  name: string;
  schemaUrl: URL;
  resolvers: object;
}): DefinedSubgraph<TContext> {
  const sdl = readFileSync(schemaUrl, 'utf8');
  // Resolver maps are checked per file against their own parent types; the map as a whole is Apollo's loose shape.
  return { name, sdl, typeDefs: parse(sdl), resolvers: resolvers as GraphQLResolverMap<TContext> };
}
