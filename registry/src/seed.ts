import { readFileSync } from 'node:fs';
import { SUBGRAPHS } from '@manifold/schema/subgraphs';
import type { SubgraphSource } from './composition/protocol.ts';

/**
 * The repository's own subgraphs (their SDL files, default routing URLs): what an empty registry
 * starts from, so `npm start` gateways following it serve the same graph as the committed
 * supergraph.
 */
export const repositorySubgraphs = (): SubgraphSource[] =>
  SUBGRAPHS.map(({ name, url, sdlPath }) => ({ name, url, sdl: readFileSync(sdlPath, 'utf8') }));
