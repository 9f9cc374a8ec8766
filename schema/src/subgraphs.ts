import { fileURLToPath } from 'node:url';

/** A subgraph as composition sees it: its name, where the gateway reaches it by default, its SDL file. */
export interface SubgraphSource {
  name: string;
  /** Default routing URL written into the supergraph; the gateway may override it (SUBGRAPH_<NAME>_URL). */
  url: string;
  sdlPath: string;
}

const sdlOf = (name: string) =>
  fileURLToPath(new URL(`../../subgraphs/${name}/src/schema.graphql`, import.meta.url));

/** Each subgraph owns its SDL; this list only says which ones make up our graph and where they listen. */
export const SUBGRAPHS: readonly SubgraphSource[] = [
  { name: 'users', url: 'http://127.0.0.1:4001/graphql', sdlPath: sdlOf('users') },
  { name: 'products', url: 'http://127.0.0.1:4002/graphql', sdlPath: sdlOf('products') },
  { name: 'orders', url: 'http://127.0.0.1:4003/graphql', sdlPath: sdlOf('orders') },
  { name: 'content', url: 'http://127.0.0.1:4004/graphql', sdlPath: sdlOf('content') },
];

export const SUPERGRAPH_PATH = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));
