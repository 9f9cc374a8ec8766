import { readFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { SUBGRAPHS, type SubgraphSource } from './subgraphs.ts';

export type CompositionResult =
  { ok: true; supergraphSdl: string; hints: string[] } | { ok: false; errors: string[] };

/** Composes the subgraphs' SDL files into a Federation 2 supergraph. */
export function composeSupergraph(
  subgraphs: readonly SubgraphSource[] = SUBGRAPHS,
): CompositionResult {
  const result = composeServices(
    subgraphs.map(({ name, url, sdlPath }) => ({
      name,
      url,
      typeDefs: parse(readFileSync(sdlPath, 'utf8')),
    })),
  );
  if (result.errors) return { ok: false, errors: result.errors.map((error) => error.message) };
  return {
    ok: true,
    supergraphSdl: result.supergraphSdl,
    hints: result.hints.map((hint) => hint.toString()),
  };
}
