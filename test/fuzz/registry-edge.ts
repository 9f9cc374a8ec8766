import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SUBGRAPHS } from '@manifold/schema/subgraphs';
import fc from 'fast-check';
import type { FuzzEdge } from './edges.ts';
import { openApiFuzz } from './openapi-edge.ts';
import type { RestRequestCase } from './rest-requests.ts';
import { mutatedText } from './text-mutations.ts';
import { e2eAccess } from '../e2e/support/access.ts';
import { freePort, startService } from '../e2e/support/processes.ts';

const SDL_TOKENS = [
  '{',
  '}',
  '(',
  ')',
  '!',
  ':',
  '@key(fields: "id")',
  '@shareable',
  '@external',
  'extend',
  'type',
  'interface',
  'union',
  'enum',
  'scalar',
  'input',
  'Query',
  'ID!',
  '"""',
  '"',
  '#',
  '[',
  ']',
  '|',
  '&',
];

/** A subgraph no one has published yet: composes with the rest, so a publish of it succeeds. */
const NEW_SUBGRAPH = `extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key"])
type Query { fuzzEcho(text: String): String }
`;

/**
 * What the registry's schemas cannot describe but its deep paths need: the repository's real
 * subgraph names and SDLs (mutated: mostly broken, sometimes still composing, sometimes a breaking
 * change), routing URLs of every kind, and versions that exist (seeded: 1; every publish adds one).
 */
const registryValues = () => {
  const sdls = SUBGRAPHS.map(({ sdlPath }) => readFileSync(sdlPath, 'utf8'));
  const version = fc.integer({ min: 1, max: 8 }).map(String);
  return {
    name: fc.constantFrom(...SUBGRAPHS.map((subgraph) => subgraph.name), 'fuzz', 'Users', 'a-b'),
    sdl: fc.oneof(
      { weight: 6, arbitrary: mutatedText(sdls, SDL_TOKENS, { maxEdits: 3 }) },
      { weight: 1, arbitrary: fc.constant(NEW_SUBGRAPH) },
    ),
    url: fc.constantFrom(
      'http://127.0.0.1:4001/graphql',
      'https://users.internal/graphql',
      'ftp://127.0.0.1/graphql',
      'javascript:alert(1)',
      'not a url',
      'http://',
      `http://${'a'.repeat(300)}.example/graphql`,
    ),
    version,
    to: version,
    from: version,
  };
};

/** A long-poll the fuzz asks for is held at most a second: the hold is tested in registry/test, and 30 s of it would spend CI's minute. */
const shortPolls = (input: RestRequestCase): RestRequestCase => {
  const oneSecond = (match: string, before: string, seconds: string) => {
    let asked: number;
    try {
      asked = Number(decodeURIComponent(seconds.replaceAll('+', ' ')));
    } catch {
      return match;
    }
    return asked > 1 ? `${before}1` : match;
  };
  return {
    ...input,
    path: input.path.replace(/([?&]wait=)([^&]*)/g, oneSecond),
    headers: Object.fromEntries(
      Object.entries(input.headers).map(([name, value]) => [
        name,
        name === 'prefer' ? value.replace(/(wait\s*=\s*"?)(\d+)/gi, oneSecond) : value,
      ]),
    ),
  };
};

/**
 * The schema registry as a process in production mode (credentials required for every route,
 * SQLite store, seeded from the repository's subgraphs, composition in its worker thread):
 * fuzzed from its own /openapi.json, checks and publishes with mutated real SDLs among them.
 */
export const registryEdge: FuzzEdge<RestRequestCase> = {
  name: 'registry',
  ciRuns: 200,
  clientSideOnly: true,
  start: async () => {
    const access = e2eAccess([
      'registry:read',
      'registry:check',
      'registry:publish',
      'registry:admin',
      'registry:report',
    ]);
    const service = await startService({
      name: 'registry',
      entry: 'registry/src/main.ts',
      port: await freePort(),
      env: {
        NODE_ENV: 'production',
        ACCESS_FILE: access.ACCESS_FILE,
        REGISTRY_DATABASE_PATH: join(mkdtempSync(join(tmpdir(), 'fuzz-registry-')), 'r.sqlite'),
      },
      readyPath: '/readyz',
    });
    const credentials = { 'x-api-key': access.key };
    try {
      const fuzz = await openApiFuzz(service.url, credentials, { named: registryValues() });
      const request = (path: string, body?: unknown) =>
        fetch(`${service.url}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { ...credentials, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }).then((response) => response.arrayBuffer());
      return {
        arbitrary: fuzz.arbitrary,
        send: (input) => fuzz.send(shortPolls(input)),
        check: fuzz.check,
        processes: [{ name: 'registry', pid: service.child.pid ?? 0, baseUrl: service.url }],
        // Every kind of route once, the composition worker's first checks included.
        warmUp: async () => {
          for (const { name, sdlPath } of SUBGRAPHS.slice(0, 3))
            await request(`/subgraphs/${name}/check`, { sdl: readFileSync(sdlPath, 'utf8') });
          await request('/subgraphs/users/check', { sdl: 'type Query {' });
          await request('/supergraph');
          await request('/supergraph/versions');
          await request('/supergraph/diff?from=1');
          await request('/usage', {
            entries: [
              {
                hour: new Date().toISOString(),
                operation: { signature: '{ me { id } }' },
                count: 1,
                coordinates: ['Query.me'],
              },
            ],
          });
        },
        stop: async () => {
          await service.stop();
        },
      };
    } catch (error) {
      await service.stop();
      throw error;
    }
  },
};
