import { readFileSync } from 'node:fs';
import { Kind, parse, type ConstValueNode, type DocumentNode } from 'graphql';
import { ConfigError } from '@manifold/platform/config';
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
 * URL overrides. Throws a ConfigError for a missing file, bad syntax, a file that is not a
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
    throw new ConfigError([`SUPERGRAPH_PATH: cannot read ${path}: ${(error as Error).message}`]);
  }
  let document: DocumentNode;
  try {
    document = parse(sdl);
  } catch (error) {
    throw new ConfigError([
      `SUPERGRAPH_PATH: ${path} is not valid GraphQL: ${(error as Error).message}`,
    ]);
  }
  const joinGraph = document.definitions.find(
    (definition) =>
      definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph',
  );
  if (joinGraph?.kind !== Kind.ENUM_TYPE_DEFINITION || !joinGraph.values?.length) {
    throw new ConfigError([
      `SUPERGRAPH_PATH: ${path} is not a Federation supergraph (it has no join__Graph enum); compose one with \`npm run compose\` or rover`,
    ]);
  }
  const subgraphs = joinGraph.values.map((value) => {
    const directive = value.directives?.find((d) => d.name.value === 'join__graph');
    const argument = (name: string) =>
      stringArgument(directive?.arguments?.find((a) => a.name.value === name)?.value);
    const name = argument('name') ?? value.name.value.toLowerCase();
    const url = overrides.get(subgraphUrlVariable(name)) ?? argument('url');
    if (url === undefined || url === '') {
      throw new ConfigError([
        `${subgraphUrlVariable(name)}: subgraph "${name}" has no URL in ${path}; set this variable`,
      ]);
    }
    return { name, url };
  });
  const known = new Set(subgraphs.map((subgraph) => subgraphUrlVariable(subgraph.name)));
  const unknown = [...overrides.keys()].filter((variable) => !known.has(variable));
  if (unknown.length > 0) {
    const names = subgraphs.map((subgraph) => subgraph.name).join(', ');
    throw new ConfigError(
      unknown.map((variable) => `${variable}: names no subgraph of ${path} (it has: ${names})`),
    );
  }
  return { sdl, subgraphs };
}
