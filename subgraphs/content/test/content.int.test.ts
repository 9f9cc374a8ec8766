import { parse, print } from 'graphql';
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
import { openContentDatabase } from '../src/data/database.ts';
import { sdl } from '../src/index.ts';

const ARTICLE_COUNT = 150;
const PRODUCT_COUNT = 200;
const db = openContentDatabase({
  path: ':memory:',
  articleCount: ARTICLE_COUNT,
  reviewCount: 3_000,
  productCount: PRODUCT_COUNT,
  userCount: 300,
});
let server: TestGraphQLServer;

beforeAll(async () => {
  const trust = testGatewayIdentity();
  const { app } = await createApp({
    db,
    logger: silentLogger('content'),
    production: true,
    identity: trust.verifier,
  });
  server = await serveGraphQL(app, { headers: await trust.headers() });
});
afterAll(async () => {
  await server.close();
  db.close();
});

const ENTITIES = (selection: string) =>
  `query($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`;

interface ProductView {
  reviews: { id: string; rating: number; createdAt: string; product: { id: string } }[];
  averageRating: number | null;
  articles: { id: string }[];
}
const references = (typename: string, ids: readonly (string | number)[]) =>
  ids.map((id) => ({ __typename: typename, id: String(id) }));
const range = (count: number) => Array.from({ length: count }, (_, i) => i + 1);

/** Statements the request cost, with its errors asserted away. */
async function statementsFor(document: string, variables: Record<string, unknown>) {
  const before = db.statementCount;
  const { errors } = await server.query(document, variables);
  expect(errors).toBeUndefined();
  return db.statementCount - before;
}

describe('content subgraph: Product', () => {
  it('contributes newest reviews, the SQL average and featuring articles; empty for unknown products', async () => {
    const ids = [1, 2, 3, 999_999];
    const { data, errors } = await server.query<{ _entities: ProductView[] }>(
      ENTITIES(
        '... on Product { reviews(first: 2) { id rating createdAt product { id } } averageRating articles { id } }',
      ),
      { r: references('Product', ids) },
    );
    expect(errors).toBeUndefined();
    expect(data?._entities).toHaveLength(ids.length);
    for (const [index, product] of (data?._entities ?? []).entries()) {
      const id = ids[index]!;
      const average = db.get<{ a: number | null }>(
        'SELECT avg(rating) AS a FROM reviews WHERE product_id = ?',
        id,
      )?.a;
      if (average == null) expect(product.averageRating).toBeNull();
      else {
        expect(Math.abs(product.averageRating! - average)).toBeLessThanOrEqual(0.005);
        expect(Math.round(product.averageRating! * 100) / 100).toBe(product.averageRating);
      }
      const newest = db.all<{ id: number }>(
        'SELECT id FROM reviews WHERE product_id = ? ORDER BY created_at DESC, id DESC LIMIT 2',
        id,
      );
      expect(product.reviews.map((review) => review.id)).toEqual(newest.map((r) => String(r.id)));
      for (const review of product.reviews) {
        expect(review.product.id).toBe(String(id));
        expect(review.rating).toBeGreaterThanOrEqual(1);
        expect(review.rating).toBeLessThanOrEqual(5);
        expect(review.createdAt).toMatch(/Z$/);
      }
      const featuring = db.all<{ id: number }>(
        `SELECT a.id FROM articles a JOIN article_products ap ON ap.article_id = a.id
         WHERE ap.product_id = ? ORDER BY a.published_at DESC, a.id DESC`,
        id,
      );
      expect(product.articles.map((article) => article.id)).toEqual(
        featuring.map((r) => String(r.id)),
      );
    }
    // The fixture must exercise both branches for the assertions above to mean anything.
    expect(data?._entities[0]?.reviews).toHaveLength(2);
    expect(data?._entities[3]).toEqual({ reviews: [], averageRating: null, articles: [] });
  });

  it('rejects reviews(first) outside 0..100 with BAD_USER_INPUT', async () => {
    for (const first of [101, -1]) {
      const { errors } = await server.query(
        ENTITIES(`... on Product { reviews(first: ${first}) { id } }`),
        { r: references('Product', [1]) },
      );
      expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('costs the same statements for 10 or 100 products (no N+1)', async () => {
    const document = ENTITIES(
      '... on Product { reviews(first: 2) { author { id } } averageRating articles { title author { id } } }',
    );
    const small = await statementsFor(document, { r: references('Product', range(10)) });
    const large = await statementsFor(document, { r: references('Product', range(100)) });
    expect(large).toBe(small);
    expect(small).toBe(3); // reviews, averages, articles: one statement each
  });
});

describe('content subgraph: User', () => {
  it('lists a user’s reviews newest first, all users in one statement', async () => {
    const ids = range(20);
    const before = db.statementCount;
    const { data, errors } = await server.query<{
      _entities: { reviews: { id: string; author: { id: string } }[] }[];
    }>(ENTITIES('... on User { reviews(first: 3) { id author { id } } }'), {
      r: references('User', ids),
    });
    expect(errors).toBeUndefined();
    expect(db.statementCount - before).toBe(1);
    for (const [index, user] of (data?._entities ?? []).entries()) {
      const newest = db.all<{ id: number }>(
        'SELECT id FROM reviews WHERE author_id = ? ORDER BY created_at DESC, id DESC LIMIT 3',
        ids[index]!,
      );
      expect(user.reviews.map((review) => review.id)).toEqual(newest.map((r) => String(r.id)));
      expect(new Set(user.reviews.map((review) => review.author.id))).toEqual(
        new Set(user.reviews.length > 0 ? [String(ids[index])] : []),
      );
    }
  });
});

describe('content subgraph: Article', () => {
  it('finds an article by slug with its author and featured products in order', async () => {
    const row = db.get<{ slug: string; title: string; author_id: number }>(
      'SELECT slug, title, author_id FROM articles WHERE id = 17',
    )!;
    const featured = db.all<{ product_id: number }>(
      'SELECT product_id FROM article_products WHERE article_id = 17 ORDER BY position',
    );
    const { data } = await server.query<{
      article: unknown;
      missing: unknown;
    }>(
      'query($slug: String!) { article(slug: $slug) { id title publishedAt author { id } featuredProducts { id } } missing: article(slug: "no-such-article") { id } }',
      { slug: row.slug },
    );
    expect(data?.article).toEqual({
      id: '17',
      title: row.title,
      publishedAt: expect.stringMatching(/Z$/) as unknown,
      author: { id: String(row.author_id) },
      featuredProducts: featured.map((f) => ({ id: String(f.product_id) })),
    });
    expect(data?.missing).toBeNull();
  });

  it('batches slug lookups into one statement', async () => {
    const slugs = db.all<{ slug: string }>('SELECT slug FROM articles LIMIT 5');
    const fields = slugs.map((s, i) => `a${i}: article(slug: ${JSON.stringify(s.slug)}) { id }`);
    expect(await statementsFor(`{ ${fields.join(' ')} }`, {})).toBe(1);
  });

  it('resolves Article entities by id in one statement, null when unknown', async () => {
    const ids = [...range(50), 999_999];
    const before = db.statementCount;
    const { data, errors } = await server.query<{ _entities: ({ id: string } | null)[] }>(
      ENTITIES('... on Article { id slug }'),
      { r: references('Article', ids) },
    );
    expect(errors).toBeUndefined();
    expect(db.statementCount - before).toBe(1);
    expect(data?._entities.slice(0, 50).map((article) => article?.id)).toEqual(
      ids.slice(0, 50).map(String),
    );
    expect(data?._entities[50]).toBeNull();
  });

  it('pages through all articles newest first, each once, and replays a cursor identically', async () => {
    type Page = GraphQLTestResponse<{
      articles: {
        totalCount: number;
        edges: { node: { id: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    }>;
    const document =
      'query($after: String) { articles(first: 40, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }';
    const expected = db
      .all<{ id: number }>('SELECT id FROM articles ORDER BY published_at DESC, id DESC')
      .map((row) => String(row.id));
    const seen: string[] = [];
    const cursors: (string | null)[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 50; guard++) {
      const page: Page = await server.query(document, { after });
      expect(page.errors).toBeUndefined();
      expect(page.data?.articles.totalCount).toBe(ARTICLE_COUNT);
      seen.push(...(page.data?.articles.edges.map((edge) => edge.node.id) ?? []));
      cursors.push(after);
      if (!page.data?.articles.pageInfo.hasNextPage) break;
      after = page.data.articles.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
    const replayed: Page = await server.query(document, { after: cursors[2] });
    expect(replayed.data?.articles.edges.map((edge) => edge.node.id)).toEqual(
      expected.slice(80, 120),
    );
  });

  it('rejects first > 100 and forged cursors with BAD_USER_INPUT', async () => {
    const forgedKey = encodeCursor('Query.articles', ['not-a-date']);
    const otherList = encodeCursor('Query.users', ['2024-01-01T00:00:00.000Z', 1]);
    for (const args of [
      'first: 101',
      'first: -1',
      'after: "garbage"',
      `after: "${forgedKey}"`,
      `after: "${otherList}"`,
    ]) {
      const { errors } = await server.query(`{ articles(${args}) { totalCount } }`);
      expect(errors?.[0]?.extensions?.code, args).toBe('BAD_USER_INPUT');
    }
  });
});

describe('content subgraph: service', () => {
  it('publishes its own SDL through _service', async () => {
    const { data } = await server.query<{ _service: { sdl: string } }>('{ _service { sdl } }');
    // The served SDL is re-printed and followed by federation's own definitions: compare ours, printed alike.
    const served = parse(data?._service.sdl ?? '').definitions.map((d) => print(d));
    const ours = parse(sdl).definitions.map((d) => print(d));
    expect(served.slice(0, ours.length)).toEqual(ours);
  });

  it('answers /healthz', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
