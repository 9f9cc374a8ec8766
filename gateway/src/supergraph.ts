import { createHash } from 'node:crypto';
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
  /**
   * Which supergraph this is, as `/healthz` and `/readyz` report it: the registry's version id,
   * or `sha256:<first 12 hex digits>` of a file's SDL.
   */
  version: string;
}

const stringArgument = (value: ConstValueNode | undefined) =>
  value?.kind === Kind.STRING ? value.value : undefined;

/** Whether `url` is one the gateway can send requests to (a subgraph URL must be). */
function isHttpUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

export interface ParseSupergraphOptions {
  /** `SUBGRAPH_<NAME>_URL` overrides, keyed by variable name. @default none */
  overrides?: ReadonlyMap<string, string>;
  /** Where the SDL comes from, for messages (`SUPERGRAPH_PATH: /x.graphql`, `registry version 7`). */
  origin: string;
  /**
   * An override naming a subgraph this supergraph lacks is an error (a file: a typo to fix now),
   * or ignored (a registry: the subgraph may come and go between versions). @default true
   */
  strictOverrides?: boolean;
  /** @default `sha256:` and the first 12 hex digits of the SDL's hash */
  version?: string;
}

/**
 * Reads any Federation 2 supergraph and its subgraph endpoints (the `join__Graph` enum), applying
 * URL overrides. Throws a ConfigError for bad syntax, a document that is not a supergraph, a
 * subgraph without an http(s) URL, or (strictly) an override naming a subgraph it lacks.
 */
export function parseSupergraph(
  sdl: string,
  { overrides = new Map(), origin, strictOverrides = true, version }: ParseSupergraphOptions,
): Supergraph {
  let document: DocumentNode;
  try {
    document = parse(sdl);
  } catch (error) {
    throw new ConfigError([`${origin} is not valid GraphQL: ${(error as Error).message}`]);
  }
  const joinGraph = document.definitions.find(
    (definition) =>
      definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph',
  );
  if (joinGraph?.kind !== Kind.ENUM_TYPE_DEFINITION || !joinGraph.values?.length) {
    throw new ConfigError([
      `${origin} is not a Federation supergraph (it has no join__Graph enum); compose one with \`npm run compose\` or rover`,
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
        `${subgraphUrlVariable(name)}: subgraph "${name}" has no URL in ${origin}; set this variable`,
      ]);
    }
    // The gateway would load it and fail every request to that subgraph: refuse it up front.
    if (!isHttpUrl(url))
      throw new ConfigError([
        `${origin}: subgraph "${name}" has a URL that is not an http(s) URL (${JSON.stringify(url)})`,
      ]);
    return { name, url };
  });
  const known = new Set(subgraphs.map((subgraph) => subgraphUrlVariable(subgraph.name)));
  const unknown = [...overrides.keys()].filter((variable) => !known.has(variable));
  if (strictOverrides && unknown.length > 0) {
    const names = subgraphs.map((subgraph) => subgraph.name).join(', ');
    throw new ConfigError(
      unknown.map((variable) => `${variable}: names no subgraph of ${origin} (it has: ${names})`),
    );
  }
  return {
    sdl,
    subgraphs,
    version: version ?? `sha256:${createHash('sha256').update(sdl).digest('hex').slice(0, 12)}`,
  };
}

/** Reads a supergraph file (`SUPERGRAPH_PATH`); see {@link parseSupergraph}. */
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
  return parseSupergraph(sdl, { overrides, origin: `SUPERGRAPH_PATH: ${path}` });
}
