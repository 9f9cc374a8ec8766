import { readFileSync } from 'node:fs';
import { Kind, parse, type ConstValueNode, type DocumentNode } from 'graphql';
import { subgraphUrlVariable } from './config.ts';

export interface SubgraphEndpoint {
  name: string;
  url: string;
}

export interface Supergraph {
  sdl: string;
  subgraphs: SubgraphEndpoint[];
}

const stringArgument = (value: ConstValueNode | undefined) =>
  value?.kind === Kind.STRING ? value.value : undefined;

/**
 * Reads any Federation 2 supergraph and its subgraph endpoints (the `join__Graph` enum), applying
 * URL overrides. Throws one readable error for a missing file, bad syntax, a file that is not a
 * supergraph, or an override naming a subgraph the file lacks.
 */
export function loadSupergraph(
  path: string,
  overrides: ReadonlyMap<string, string> = new Map(),
): Supergraph {
  let sdl: string;
  try {
    sdl = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the supergraph at ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  let document: DocumentNode;
  try {
    document = parse(sdl);
  } catch (error) {
    throw new Error(`The supergraph at ${path} is not valid GraphQL: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const joinGraph = document.definitions.find(
    (definition) =>
      definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph',
  );
  if (joinGraph?.kind !== Kind.ENUM_TYPE_DEFINITION || !joinGraph.values?.length) {
    throw new Error(
      `The file at ${path} is not a Federation supergraph (it has no join__Graph enum); compose one with \`npm run compose\` or rover`,
    );
  }
  const subgraphs = joinGraph.values.map((value) => {
    const directive = value.directives?.find((d) => d.name.value === 'join__graph');
    const argument = (name: string) =>
      stringArgument(directive?.arguments?.find((a) => a.name.value === name)?.value);
    const name = argument('name') ?? value.name.value.toLowerCase();
    const url = overrides.get(subgraphUrlVariable(name)) ?? argument('url');
    if (url === undefined || url === '') {
      throw new Error(`Subgraph "${name}" has no URL in ${path}; set ${subgraphUrlVariable(name)}`);
    }
    return { name, url };
  });
  const known = new Set(subgraphs.map((subgraph) => subgraphUrlVariable(subgraph.name)));
  const unknown = [...overrides.keys()].filter((variable) => !known.has(variable));
  if (unknown.length > 0) {
    throw new Error(
      `${unknown.join(', ')} name(s) no subgraph of ${path}; its subgraphs are: ${subgraphs.map((s) => s.name).join(', ')}`,
    );
  }
  return { sdl, subgraphs };
}
