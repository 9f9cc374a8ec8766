/* eslint-disable @typescript-eslint/no-unsafe-member-access -- JSON answers (JsonBody): the assertions check their shape */
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  openTestStore,
  sdlOf,
  startRegistry,
  testAccessFile,
  type StartedRegistry,
  type StoreKind,
  type TestStore,
} from './support.ts';

// One suite, both stores: the embedded SQLite file and a shared PostgreSQL database.
const products = sdlOf('products');
const withField = (sdl: string, field: string) =>
  sdl.replace('  weightGrams: Int!\n', `  weightGrams: Int!\n  ${field}\n`);
const hourAgo = (hours: number) =>
  new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - hours * 3_600_000).toISOString();

describe.each<StoreKind>(['sqlite', 'postgres'])('registry on %s', (kind) => {
  let testStore: TestStore;
  let registry: StartedRegistry;
  const access = testAccessFile();
  const keys = {} as Record<'products' | 'platform' | 'checker' | 'gateway', string>;

  beforeAll(async () => {
    keys.products = access.keyFor('products-team');
    keys.platform = access.keyFor('platform-team');
    keys.checker = access.keyFor('ci-checker');
    keys.gateway = access.keyFor('gateway');
    testStore = await openTestStore(kind);
    registry = await startRegistry({ store: testStore.store, accessFile: access.path });
  });
  afterAll(async () => {
    await registry.close();
    await testStore.dispose();
    access.dispose();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    call(registry.url, 'GET', path, { key: keys.gateway, headers });
  const publish = (subgraph: string, body: object, key = keys.platform) =>
    call(registry.url, 'POST', `/subgraphs/${subgraph}/publish`, { key, body });
  const check = (subgraph: string, body: object, key = keys.checker) =>
    call(registry.url, 'POST', `/subgraphs/${subgraph}/check`, { key, body });

  it('starts seeded from the repository subgraphs and serves the supergraph with its version as ETag', async () => {
    const { status, headers, body } = await get('/supergraph');
    expect(status).toBe(200);
    expect(body.version).toEqual(expect.any(String));
    expect(headers.get('etag')).toBe(`"${body.version}"`);
    expect(headers.get('x-supergraph-version')).toBe(body.version);
    expect(body.sdl).toContain('enum join__Graph');
    expect(body.sdl).toContain(
      'PRODUCTS @join__graph(name: "products", url: "http://127.0.0.1:4002/graphql")',
    );
    const versions = await get('/supergraph/versions');
    expect(versions.body.versions).toMatchObject([{ action: 'seed', current: true }]);
  });

  it('answers 304 to If-None-Match naming the current version, after the requested wait', async () => {
    const current = (await get('/supergraph')).body.version as string;
    const plain = await get('/supergraph', { 'if-none-match': `"${current}"` });
    expect(plain.status).toBe(304);
    const waited = await get('/supergraph', { 'if-none-match': `"${current}"`, prefer: 'wait=1' });
    expect(waited.status).toBe(304);
    expect(waited.headers.get('preference-applied')).toBe('wait=1');
    expect((await get('/supergraph', { 'if-none-match': '"0"' })).status).toBe(200);
  });

  it('refuses reads without credentials, and publishes without the subgraph publish scope', async () => {
    expect((await call(registry.url, 'GET', '/supergraph')).status).toBe(401);
    const sdl = withField(products, 'colour: String');
    const anonymous = await call(registry.url, 'POST', '/subgraphs/products/publish', {
      body: { sdl },
    });
    expect(anonymous).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect(await publish('products', { sdl }, keys.checker)).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
    expect(await publish('orders', { sdl: sdlOf('orders') }, keys.products)).toMatchObject({
      status: 403,
      body: { code: 'FORBIDDEN' },
    });
  });

  it('wakes a long-poll as soon as a new field is published, with the new supergraph', async () => {
    const before = (await get('/supergraph')).body.version as string;
    const poll = get('/supergraph', { 'if-none-match': `"${before}"`, prefer: 'wait=25' });
    const published = await publish(
      'products',
      { sdl: withField(products, 'colour: String') },
      keys.products,
    );
    expect(published).toMatchObject({
      status: 201,
      body: {
        published: true,
        version: { action: 'publish', subgraph: 'products', forced: false },
      },
    });
    expect(published.body.version.publishedBy).toContain('products-team');
    const answer = await poll;
    expect(answer.status).toBe(200);
    expect(answer.body.version).toBe(published.body.version.version);
    expect(answer.body.sdl).toContain('colour: String');
  });

  it('answers 200 published:false when the same SDL and URL are published again', async () => {
    const again = await publish('products', { sdl: withField(products, 'colour: String') });
    expect(again).toMatchObject({ status: 200, body: { published: false } });
  });

  it('reports composition errors per subgraph with their locations, and never publishes them, even forced', async () => {
    const syntax = await check('products', { sdl: 'type Query {\n  broken(: Int\n}' });
    expect(syntax.status).toBe(200);
    expect(syntax.body).toMatchObject({
      ok: false,
      composition: {
        ok: false,
        errors: [
          {
            subgraph: 'products',
            code: 'INVALID_GRAPHQL',
            locations: [{ subgraph: 'products', line: 2 }],
          },
        ],
      },
    });
    // Money is shared with orders as String amounts: an Int amount cannot compose.
    const conflicting = products.replace('  amount: String!', '  amount: Int!');
    const report = (await check('products', { sdl: conflicting })).body;
    expect(report.ok).toBe(false);
    expect(report.composition.errors.length).toBeGreaterThan(0);
    const [first] = report.composition.errors as {
      subgraph: string | null;
      locations: unknown[];
    }[];
    expect(first?.locations.length).toBeGreaterThan(0);
    expect(report.errors).toContainEqual(expect.objectContaining({ kind: 'composition' }));
    const forced = await publish('products', { sdl: conflicting, force: true });
    expect(forced).toMatchObject({
      status: 409,
      body: { code: 'SCHEMA_CHECK_FAILED', check: { ok: false } },
    });
  });

  it('fails a breaking change to a field that recorded operations used, listing operations and clients', async () => {
    const report = await call(registry.url, 'POST', '/usage', {
      key: keys.gateway,
      body: {
        entries: [
          {
            hour: hourAgo(2),
            operation: {
              name: 'ProductPage',
              signature: 'query ProductPage($id:ID!){product(id:$id){description name}}',
            },
            client: { name: 'web', version: '1.4.0' },
            count: 40,
            coordinates: [
              'Query.product',
              'Query.product(id:)',
              'Product.description',
              'Product.name',
            ],
          },
          {
            hour: hourAgo(30),
            operation: {
              name: 'ProductPage',
              signature: 'query ProductPage($id:ID!){product(id:$id){description name}}',
            },
            client: { name: 'ios', version: '2.0' },
            count: 2,
            coordinates: [
              'Query.product',
              'Query.product(id:)',
              'Product.description',
              'Product.name',
            ],
          },
          {
            // Older than the 30-day window: does not count.
            hour: hourAgo(24 * 40),
            operation: {
              name: 'OldStock',
              signature: 'query OldStock{product(id:"1"){supplierStock{warehouse}}}',
            },
            client: { name: 'legacy-app', version: null },
            count: 9,
            coordinates: ['Query.product', 'Product.supplierStock', 'SupplierStock.warehouse'],
          },
        ],
      },
    });
    expect(report).toMatchObject({ status: 202, body: { accepted: 3 } });

    const used = await check('products', {
      sdl: withField(products, 'colour: String').replace('  description: String!\n', ''),
    });
    expect(used.body.ok).toBe(false);
    const error = (
      used.body.errors as { kind: string; coordinate?: string; change?: { usage: unknown } }[]
    ).find((issue) => issue.kind === 'breaking-change');
    expect(error).toMatchObject({
      coordinate: 'Product.description',
      change: {
        type: 'FIELD_REMOVED',
        usage: {
          count: 42,
          operations: [
            {
              name: 'ProductPage',
              count: 42,
              clients: [
                { name: 'web', version: '1.4.0', count: 40 },
                { name: 'ios', version: '2.0', count: 2 },
              ],
            },
          ],
        },
      },
    });

    const unused = await check('products', {
      sdl: withField(products, 'colour: String').replace('  warehouse: String!\n', ''),
    });
    expect(unused.body.ok).toBe(true);
    expect(unused.body.warnings).toContainEqual(
      expect.objectContaining({ kind: 'breaking-change', coordinate: 'SupplierStock.warehouse' }),
    );
    expect(
      await publish('products', {
        sdl: withField(products, 'colour: String').replace('  description: String!\n', ''),
      }),
    ).toMatchObject({
      status: 409,
      body: { code: 'SCHEMA_CHECK_FAILED' },
    });
  });

  it('publishes a failing check only when forced, recorded as forced with the publisher', async () => {
    const forced = await publish('products', {
      sdl: withField(products, 'colour: String').replace('  description: String!\n', ''),
      force: true,
    });
    expect(forced).toMatchObject({
      status: 201,
      body: { published: true, version: { forced: true } },
    });
    expect(forced.body.version.publishedBy).toContain('platform-team');
    const history = (await get('/supergraph/versions')).body.versions as { forced: boolean }[];
    expect(history[0]).toMatchObject({ forced: true, current: true });
  });

  it('checks the routing URL, and a forced publish can store one a gateway cannot load', async () => {
    const sdl = sdlOf('content');
    const bad = await check('content', { sdl, url: 'http://[not-a-url' });
    expect(bad.body).toMatchObject({
      ok: false,
      errors: [{ kind: 'routing-url', subgraph: 'content' }],
    });
    const forced = await publish('content', { sdl, url: 'http://[not-a-url', force: true });
    expect(forced).toMatchObject({ status: 201, body: { version: { forced: true } } });
    expect((await get('/supergraph')).body.sdl).toContain('url: "http://[not-a-url"');
    const repaired = await publish('content', { sdl, url: 'http://127.0.0.1:4004/graphql' });
    expect(repaired).toMatchObject({ status: 201, body: { version: { forced: false } } });
    const newcomer = await check('reviews', { sdl: 'type Query { hello: String }' });
    expect(newcomer.body.errors).toContainEqual(expect.objectContaining({ kind: 'routing-url' }));
  });

  it('diffs versions and rolls back to an older one (a new version id), which long-polls see', async () => {
    const versions = (await get('/supergraph/versions')).body.versions as {
      version: string;
      action: string;
    }[];
    const seed = versions.find((version) => version.action === 'seed')!;
    const current = versions[0]!;
    const diff = await get(`/supergraph/diff?from=${seed.version}&to=${current.version}`);
    expect(diff.status).toBe(200);
    expect(diff.body.changes).toContainEqual(
      expect.objectContaining({ type: 'FIELD_ADDED', path: 'Product.colour', criticality: 'SAFE' }),
    );
    expect(diff.body.changes).toContainEqual(
      expect.objectContaining({
        type: 'FIELD_REMOVED',
        path: 'Product.description',
        criticality: 'BREAKING',
      }),
    );

    expect(
      await call(registry.url, 'POST', '/supergraph/rollback', {
        key: keys.products,
        body: { to: seed.version },
      }),
    ).toMatchObject({ status: 403 });
    expect(
      await call(registry.url, 'POST', '/supergraph/rollback', {
        key: keys.platform,
        body: { to: '999999' },
      }),
    ).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });

    const poll = get('/supergraph', { 'if-none-match': `"${current.version}"`, prefer: 'wait=25' });
    const rolledBack = await call(registry.url, 'POST', '/supergraph/rollback', {
      key: keys.platform,
      body: { to: seed.version },
    });
    expect(rolledBack).toMatchObject({
      status: 201,
      body: { action: 'rollback', rollbackOf: seed.version, current: true },
    });
    expect(rolledBack.body.version).not.toBe(seed.version);
    const answer = await poll;
    expect(answer.body.version).toBe(rolledBack.body.version);
    const seedDetail = await get(`/supergraph/versions/${seed.version}`);
    expect(answer.body.sdl).toBe(seedDetail.body.sdl);
    expect(answer.body.sdl).not.toContain('colour');
  });

  it('refuses an invalid usage report with the fields at fault', async () => {
    const bad = await call(registry.url, 'POST', '/usage', {
      key: keys.gateway,
      body: {
        entries: [
          {
            hour: 'yesterday',
            operation: { signature: '' },
            count: -1,
            coordinates: ['not a coordinate'],
          },
        ],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('BAD_USER_INPUT');
    expect((bad.body.errors as { pointer: string }[]).map((error) => error.pointer)).toEqual(
      expect.arrayContaining(['/entries/0/hour', '/entries/0/count', '/entries/0/coordinates/0']),
    );
    expect(
      (await call(registry.url, 'POST', '/usage', { key: keys.products, body: { entries: [] } }))
        .status,
    ).toBe(403);
  });

  it('serialises publishes from two replicas sharing the store: both land, each replica sees the other', async () => {
    const second = await startRegistry({
      store: await testStore.reopen(),
      accessFile: access.path,
      seed: false,
    });
    try {
      const before = (await get('/supergraph')).body.version as string;
      const onSecond = call(second.url, 'GET', '/supergraph', {
        key: keys.gateway,
        headers: { 'if-none-match': `"${before}"`, prefer: 'wait=25' },
      });
      const [a, b] = await Promise.all([
        publish('products', { sdl: withField(products, 'material: String') }),
        call(second.url, 'POST', '/subgraphs/content/publish', {
          key: keys.platform,
          body: {
            sdl: sdlOf('content').replace(
              'type Query {',
              'type Query {\n  "A greeting."\n  hello: String',
            ),
          },
        }),
      ]);
      expect([a.status, b.status]).toEqual([201, 201]);
      expect((await onSecond).status).toBe(200);
      const latest = (await call(second.url, 'GET', '/supergraph', { key: keys.gateway })).body
        .sdl as string;
      expect(latest).toContain('material: String');
      expect(latest).toContain('hello: String');
    } finally {
      await second.close();
    }
  });

  it('serves OpenAPI 3.1 with the security each route needs', async () => {
    const { status, body } = await call(registry.url, 'GET', '/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    const validation = await new Validator().validate(body as Record<string, unknown>);
    expect(validation.valid, JSON.stringify(validation.errors)).toBe(true);
    expect(body.paths['/subgraphs/{name}/publish'].post.security).toContainEqual({
      apiKey: ['registry:publish:{name}'],
    });
    expect(body.paths['/supergraph'].get.security).toContainEqual({ apiKey: ['registry:read'] });
  });
});
