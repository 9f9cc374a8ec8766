import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadSubgraphUrlOverrides } from './config.ts';
import { loadSupergraph, parseSupergraph } from './supergraph.ts';

const BENCHMARK = fileURLToPath(
  new URL('../../test/fixtures/gateways-benchmark/supergraph.graphql', import.meta.url),
);
const OURS = fileURLToPath(new URL('../../schema/supergraph.graphql', import.meta.url));

const write = (text: string) => {
  const path = join(tmpdir(), `sg-${process.pid}-${Math.random()}.graphql`);
  writeFileSync(path, text);
  return path;
};

describe('loadSupergraph', () => {
  it('reads subgraph endpoints from any supergraph (the public gateway benchmark)', () => {
    expect(loadSupergraph(BENCHMARK).subgraphs).toEqual([
      { name: 'accounts', url: 'http://0.0.0.0:4200/accounts' },
      { name: 'inventory', url: 'http://0.0.0.0:4200/inventory' },
      { name: 'products', url: 'http://0.0.0.0:4200/products' },
      { name: 'reviews', url: 'http://0.0.0.0:4200/reviews' },
    ]);
  });

  it('applies SUBGRAPH_<NAME>_URL overrides', () => {
    const overrides = loadSubgraphUrlOverrides({
      SUBGRAPH_CONTENT_URL: 'http://content.internal:8080/graphql',
      UNRELATED: 'x',
    });
    const content = loadSupergraph(OURS, overrides).subgraphs.find(
      (subgraph) => subgraph.name === 'content',
    );
    expect(content?.url).toBe('http://content.internal:8080/graphql');
  });

  it('refuses an override naming a subgraph the supergraph lacks', () => {
    const overrides = loadSubgraphUrlOverrides({ SUBGRAPH_BILLING_URL: 'http://billing/graphql' });
    expect(() => loadSupergraph(OURS, overrides)).toThrow(
      /SUBGRAPH_BILLING_URL: names no subgraph .*it has: content, orders, products, users/,
    );
  });

  it('refuses an override that is not an http(s) URL', () => {
    expect(() => loadSubgraphUrlOverrides({ SUBGRAPH_USERS_URL: 'ftp://x' })).toThrow(
      /SUBGRAPH_USERS_URL: must be an http\(s\) URL/,
    );
  });

  it('explains a missing file, bad syntax and a plain schema', () => {
    expect(() => loadSupergraph('/no/such/supergraph.graphql')).toThrow(
      /SUPERGRAPH_PATH: cannot read \/no\/such/,
    );
    expect(() => loadSupergraph(write('type Query {'))).toThrow(/is not valid GraphQL/);
    expect(() => loadSupergraph(write('type Query { a: String }'))).toThrow(
      /not a Federation supergraph/,
    );
  });

  it('refuses a subgraph URL that is not an http(s) URL, naming the subgraph', () => {
    const sdl = readFileSync(BENCHMARK, 'utf8').replace(
      'http://0.0.0.0:4200/inventory',
      'http://[not-a-url',
    );
    expect(() => parseSupergraph(sdl, { origin: 'registry version 9' })).toThrow(
      /registry version 9: subgraph "inventory" has a URL that is not an http\(s\) URL/,
    );
  });

  it('names a file by its hash and a registry version by its id', () => {
    const sdl = readFileSync(BENCHMARK, 'utf8');
    expect(loadSupergraph(BENCHMARK).version).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(parseSupergraph(sdl, { origin: 'registry', version: '7' }).version).toBe('7');
  });

  it('ignores, for a registry version, an override naming a subgraph it lacks', () => {
    const overrides = loadSubgraphUrlOverrides({ SUBGRAPH_BILLING_URL: 'http://billing/graphql' });
    const sdl = readFileSync(OURS, 'utf8');
    expect(
      parseSupergraph(sdl, { overrides, origin: 'registry', strictOverrides: false }).subgraphs,
    ).toHaveLength(4);
  });
});
