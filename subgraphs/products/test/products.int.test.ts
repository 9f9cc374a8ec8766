import { encodeCursor } from '@manifold/platform/data';
import {
  serveGraphQL,
  silentLogger,
  type GraphQLTestResponse,
  type TestGraphQLServer,
  testGatewayIdentity,
} from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { openProductsDatabase } from '../src/data/database.ts';

const PRODUCT_COUNT = 300;
const db = openProductsDatabase({ path: ':memory:', productCount: PRODUCT_COUNT });
let server: TestGraphQLServer;

beforeAll(async () => {
  const trust = testGatewayIdentity();
  const { app } = await createApp({
    db,
    logger: silentLogger('products'),
    production: true,
    identity: trust.verifier,
  });
  server = await serveGraphQL(app, { headers: await trust.headers() });
});
afterAll(async () => {
  await server.close();
  db.close();
});

type Page = {
  totalCount: number;
  edges: { node: { id: string; price: { amount: string } } }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
};
const PAGE = `query($first: Int, $after: String, $filter: ProductFilter) {
  products(first: $first, after: $after, filter: $filter) { totalCount edges { node { id price { amount } } } pageInfo { hasNextPage endCursor } }
}`;

async function allPages(
  filter: Record<string, unknown> | null,
  first = 40,
): Promise<{ ids: string[]; totals: number[] }> {
  const ids: string[] = [];
  const totals: number[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const { data, errors }: GraphQLTestResponse<{ products: Page }> = await server.query(PAGE, {
      first,
      after,
      filter,
    });
    expect(errors).toBeUndefined();
    ids.push(...data!.products.edges.map((edge) => edge.node.id));
    totals.push(data!.products.totalCount);
    if (!data!.products.pageInfo.hasNextPage) break;
    after = data!.products.pageInfo.endCursor;
  }
  return { ids, totals };
}

describe('products subgraph', () => {
  it('resolves Product entities by id and by sku in one statement each', async () => {
    const before = db.statementCount;
    const { data } = await server.query<{
      _entities: ({ id: string; sku: string; category: { name: string } } | null)[];
    }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id sku category { name } } } }`,
      {
        r: [
          { __typename: 'Product', id: '5' },
          { __typename: 'Product', sku: 'SKU-00007' },
          { __typename: 'Product', sku: 'SKU-99999' },
        ],
      },
    );
    expect(data?._entities[0]).toMatchObject({ id: '5', sku: 'SKU-00005' });
    expect(data?._entities[1]).toMatchObject({ id: '7', sku: 'SKU-00007' });
    expect(data?._entities[2]).toBeNull();
    expect(data?._entities[0]?.category.name).toEqual(expect.any(String));
    // by-id + by-sku + categories
    expect(db.statementCount - before).toBe(3);
  });

  it('pages through the whole catalogue once, in id order', async () => {
    const { ids, totals } = await allPages(null);
    expect(ids).toEqual(Array.from({ length: PRODUCT_COUNT }, (_, i) => String(i + 1)));
    expect(new Set(totals)).toEqual(new Set([PRODUCT_COUNT]));
  });

  it('filters by category, price range and name, with a totalCount that honours the filter', async () => {
    const filter = { categoryId: '3', minPrice: '50', maxPrice: '400.00', search: 'a' };
    const expected = db.all<{ id: number }>(
      "SELECT id FROM products WHERE category_id = 3 AND price_cents BETWEEN 5000 AND 40000 AND name LIKE '%a%' ORDER BY id",
    );
    const { ids, totals } = await allPages(filter, 3);
    expect(expected.length).toBeGreaterThan(0);
    expect(ids).toEqual(expected.map((row) => String(row.id)));
    expect(totals[0]).toBe(expected.length);
  });

  it('treats LIKE wildcards in a search literally', async () => {
    const { data } = await server.query<{ products: Page }>(PAGE, { filter: { search: '%' } });
    expect(data?.products.totalCount).toBe(0);
  });

  it('reports every invalid filter field at once with BAD_USER_INPUT', async () => {
    const { errors } = await server.query(PAGE, {
      filter: { minPrice: 'cheap', maxPrice: '1.234', search: '', categoryId: 'x' },
    });
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const pointers = (errors?.[0]?.extensions?.['errors'] as { pointer: string }[])
      .map((error) => error.pointer)
      .sort();
    expect(pointers).toEqual([
      '/filter/categoryId',
      '/filter/maxPrice',
      '/filter/minPrice',
      '/filter/search',
    ]);
  });

  it('rejects minPrice above maxPrice, first > 100 and a forged cursor', async () => {
    for (const variables of [
      { filter: { minPrice: '10', maxPrice: '5' } },
      { first: 101 },
      { after: 'bogus' },
      // Well encoded, but not a key this list issues: it must not quietly page from nowhere.
      { after: encodeCursor('Query.products', ['abc']) },
      { after: encodeCursor('Query.products', []) },
    ]) {
      const { errors } = await server.query(PAGE, variables);
      expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('batches categories of a page into one statement', async () => {
    const before = db.statementCount;
    await server.query('{ products(first: 100) { edges { node { category { name } } } } }');
    // the page + its categories (totalCount was not asked for, so not counted)
    expect(db.statementCount - before).toBe(2);
  });
});
