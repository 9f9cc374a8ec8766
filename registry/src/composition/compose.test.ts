import { describe, expect, it } from 'vitest';
import { composeSubgraphs, diffApiSchemas } from './compose.ts';

const header =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@shareable"])\n';
const a = {
  name: 'a',
  url: 'http://a/graphql',
  sdl: `${header}type Query { thing: Thing }\ntype Thing @key(fields: "id") { id: ID! name: String }`,
};
const b = {
  name: 'b',
  url: 'http://b/graphql',
  sdl: `${header}type Thing @key(fields: "id") { id: ID! price: Int }`,
};

describe('composeSubgraphs', () => {
  it('composes a supergraph and its API schema', () => {
    const outcome = composeSubgraphs([a, b]);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.supergraphSdl).toContain('join__Graph');
    expect(outcome.apiSdl).toContain('price: Int');
    expect(outcome.apiSdl).not.toContain('join__');
  });

  it('reports a syntax error with its subgraph, line and column', () => {
    const outcome = composeSubgraphs([a, { ...b, sdl: 'type Thing {\n  id: ID!\n  price Int\n}' }]);
    expect(outcome).toMatchObject({
      ok: false,
      errors: [
        {
          subgraph: 'b',
          code: 'INVALID_GRAPHQL',
          locations: [{ subgraph: 'b', line: 3, column: 9 }],
        },
      ],
    });
  });

  it('attributes a composition error to the subgraphs at fault, with locations in each', () => {
    const clash = { ...b, sdl: `${header}type Thing @key(fields: "id") { id: ID! name: Int }` };
    const outcome = composeSubgraphs([a, clash]);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    const [error] = outcome.errors;
    expect(error?.code).toEqual(expect.any(String));
    expect(error?.message).toContain('Thing.name');
    expect(error?.locations.map((location) => location.subgraph).sort()).toEqual(['a', 'b']);
  });

  // Found by the registry fuzz edge: a mutated @link URL made @apollo/composition assert (throw)
  // instead of report, and the check answered 500.
  it('reports a subgraph composition throws on (a @link to an unknown federation URL) as its error', () => {
    const broken = {
      ...b,
      sdl: b.sdl.replace(
        'specs.apollo.dev/federation/v2.7',
        'specs.apollo.dev/federationeration/v2.7',
      ),
    };
    expect(composeSubgraphs([a, broken])).toMatchObject({
      ok: false,
      errors: [{ subgraph: 'b', code: 'INVALID_SUBGRAPH', locations: [] }],
    });
  });
});

describe('diffApiSchemas', () => {
  it('classifies a removed field as breaking and an added one as safe', async () => {
    const changes = await diffApiSchemas(
      'type Query { a: Int, b: Int }',
      'type Query { a: Int, c: Int }',
    );
    expect(changes).toContainEqual(
      expect.objectContaining({ type: 'FIELD_REMOVED', path: 'Query.b', criticality: 'BREAKING' }),
    );
    expect(changes).toContainEqual(
      expect.objectContaining({ type: 'FIELD_ADDED', path: 'Query.c', criticality: 'SAFE' }),
    );
  });
});
