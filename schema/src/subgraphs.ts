import { fileURLToPath } from 'node:url';
import { defaultUrl, SUBGRAPHS as TOPOLOGY } from '@manifold/platform/contracts';

/** A subgraph as composition sees it: its name, where the gateway reaches it by default, its SDL file. */
export interface SubgraphSource {
  name: string;
  /** Default routing URL written into the supergraph; the gateway may override it (SUBGRAPH_<NAME>_URL). */
  url: string;
  sdlPath: string;
}

const sdlOf = (name: string) =>
  fileURLToPath(new URL(`../../subgraphs/${name}/src/schema.graphql`, import.meta.url));

/** Each subgraph owns its SDL; the topology says which ones make up our graph and where they listen. */
export const SUBGRAPHS: readonly SubgraphSource[] = TOPOLOGY.map(({ name }) => ({
  name,
  url: defaultUrl(name, '/graphql'),
  sdlPath: sdlOf(name),
}));

export const SUPERGRAPH_PATH = fileURLToPath(new URL('../supergraph.graphql', import.meta.url));
