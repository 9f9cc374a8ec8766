// Gateways follow the schema registry (issue 14): a real registry process, a products subgraph
// over HTTP whose SDL the tests publish, and gateways (createApp, in this process) following the
// registry with SUPERGRAPH_SOURCE's source. Steps share one registry and run in order.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '@manifold/platform/auth';
import { ConfigError } from '@manifold/platform/config';
import { createCache } from '@manifold/platform/cache';
import { serveGraphQL, silentLogger, type TestGraphQLServer } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../gateway/src/app.ts';
import { registrySupergraphSource } from '../gateway/src/registry/registry-source.ts';
import { startTinySubgraph, TEST_TRUST, type TinySubgraph } from '../gateway/test/support.ts';
import { startRegistry, type TestRegistry } from './support/registry.ts';

const PRODUCTS_SDL = readFileSync(
  new URL('../subgraphs/products/src/schema.graphql', import.meta.url),
  'utf8',
);
/** Fields later versions of `products` add, one per version. */
const RELEASES = ['release1', 'release2', 'release3', 'release4', 'release5'] as const;

/** The real products SDL, plus `base` and the first `count` releases on Query. */
const productsSdl = (count: number) =>
  `${PRODUCTS_SDL}\nextend type Query {\n  base: String!\n${RELEASES.slice(0, count)
    .map((field) => `  ${field}: String!\n`)
    .join('')}}\n`;

interface FollowingGateway {
  server: TestGraphQLServer;
  supergraph: () => Promise<{ version: string | null; refused?: { version: string } }>;
  close: () => Promise<void>;
}

/** What a gateway's /healthz says it serves. */
async function servedBy(url: string) {
  const response = await fetch(`${url}/healthz`);
  const body = (await response.json()) as {
    supergraph: { version: string | null; refused?: { version: string } };
  };
  return body.supergraph;
}

async function startFollowingGateway(
  registry: TestRegistry,
  lastGoodPath: string,
): Promise<FollowingGateway> {
  const { app, close } = await createApp({
    supergraph: registrySupergraphSource({
      registryUrl: registry.url,
      apiKey: new Secret(() => registry.key, 'test'),
      lastGoodPath,
      logger: silentLogger('registry-source'),
    }),
    logger: silentLogger('gateway'),
    cache: createCache({ namespace: 'gateway-test', logger: silentLogger() }),
    production: false,
    identity: TEST_TRUST.signer,
  });
  const server = await serveGraphQL(app);
  return {
    server,
    supergraph: () => servedBy(server.url),
    close: async () => {
      await server.close();
      await close();
    },
  };
}

const lastGoodPath = () =>
  join(mkdtempSync(join(tmpdir(), 'gateway-last-good-')), 'supergraph.json');

/** Release fields present on Query in a schema the gateway served (from introspection). */
const releasesIn = (fields: readonly { name: string }[]) =>
  fields.map(({ name }) => name).filter((name) => name.startsWith('release'));

describe('gateways following the registry', () => {
  let registry: TestRegistry;
  let products: TinySubgraph;
  const gateways: FollowingGateway[] = [];
  let primary: FollowingGateway;
  let primaryLastGood: string;
  /** Version id → how many releases its products SDL has. */
  const releasesOf = new Map<string, number>();

  const publish = async (count: number) => {
    const { version } = await registry.publish('products', {
      sdl: productsSdl(count),
      url: products.url,
    });
    releasesOf.set(version, count);
    return version;
  };

  beforeAll(async () => {
    registry = await startRegistry();
    // The subgraph serves every release; each published version shows the gateway some of them.
    products = await startTinySubgraph('products', productsSdl(RELEASES.length), {
      Query: Object.fromEntries([
        ['base', () => 'ok'],
        ...RELEASES.map((field) => [field, () => field]),
      ]),
    });
    await publish(0);
    primaryLastGood = lastGoodPath();
    primary = await startFollowingGateway(registry, primaryLastGood);
    gateways.push(primary);
  });

  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.close()));
    await products.stop();
    await registry.stop();
  });

  it('starts on the registry’s current version and reports it in /healthz and /readyz', async () => {
    const current = await registry.current();
    expect((await primary.supergraph()).version).toBe(current);
    const ready = (await (await fetch(`${primary.server.url}/readyz`)).json()) as {
      supergraph: { version: string; source: string };
    };
    expect(ready.supergraph).toMatchObject({ version: current, source: 'registry' });
    expect((await primary.server.query('{ base }')).data).toEqual({ base: 'ok' });
  });

  it('serves a field published for products within 5 s, without a restart', async () => {
    const version = await publish(1);
    // The issue's promise: a running gateway serves a publish within 5 seconds.
    await vi.waitFor(
      async () => {
        expect((await primary.server.query('{ release1 }')).data).toEqual({
          release1: 'release1',
        });
      },
      { timeout: 5_000, interval: 50 },
    );
    expect((await primary.supergraph()).version).toBe(version);
  });

  it('swaps under load: three versions published in a row, no request fails, each answer fits one version', async () => {
    const failures: string[] = [];
    const seenReleaseCounts = new Set<number>();
    let requests = 0;
    let loading = true;
    const worker = async (index: number) => {
      while (loading) {
        requests++;
        try {
          if (index % 2 === 0) {
            // Planned and fetched from the subgraph: the same answer under every version.
            const answer = await primary.server.query('{ base }');
            if (answer.status !== 200 || answer.errors || answer.data?.['base'] !== 'ok')
              failures.push(JSON.stringify(answer));
          } else {
            // The schema a request saw: exactly one published version's, never a mix.
            const answer = await primary.server.query<{ __type: { fields: { name: string }[] } }>(
              '{ __type(name: "Query") { fields { name } } }',
            );
            const releases = answer.data ? releasesIn(answer.data.__type.fields) : [];
            const count = releases.length;
            if (answer.status !== 200 || answer.errors || !answer.data)
              failures.push(JSON.stringify(answer));
            else if (releases.join() !== RELEASES.slice(0, count).join())
              failures.push(`not a published version: ${releases.join()}`);
            else seenReleaseCounts.add(count);
          }
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, index) => worker(index));
    try {
      await publish(2);
      await publish(3);
      const last = await publish(4);
      await vi.waitFor(
        async () => {
          expect((await primary.supergraph()).version).toBe(last);
        },
        { timeout: 10_000, interval: 50 },
      );
      // A little traffic on the last version too, before the load stops.
      const after = requests;
      await vi.waitFor(
        () => {
          expect(requests).toBeGreaterThan(after + 20);
        },
        { timeout: 10_000 },
      );
    } finally {
      loading = false;
      await Promise.all(workers);
    }
    expect(failures).toEqual([]);
    expect(seenReleaseCounts.has(4)).toBe(true);
    for (const count of seenReleaseCounts) expect([1, 2, 3, 4]).toContain(count);
  });

  it('never lets a supergraph that fails to load reach the gateway, and keeps serving', async () => {
    const before = (await primary.supergraph()).version;
    // The registry stores it only because it is forced: its routing URL is not a URL.
    const { version: bad } = await registry.publish('products', {
      sdl: productsSdl(5),
      url: 'http://[not-a-url',
      force: true,
    });
    await vi.waitFor(
      async () => {
        expect((await primary.supergraph()).refused?.version).toBe(bad);
      },
      { timeout: 10_000, interval: 50 },
    );
    expect((await primary.supergraph()).version).toBe(before);
    expect((await primary.server.query('{ base release4 }')).data).toEqual({
      base: 'ok',
      release4: 'release4',
    });
    const release5 = await primary.server.query('{ release5 }');
    expect(release5.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    // The next good version is taken as usual.
    const good = await publish(5);
    await vi.waitFor(
      async () => {
        expect((await primary.supergraph()).version).toBe(good);
      },
      { timeout: 5_000, interval: 50 },
    );
    expect((await primary.server.query('{ release5 }')).data).toEqual({ release5: 'release5' });
  });

  it('follows a rollback to an earlier version', async () => {
    const target = [...releasesOf].find(([, count]) => count === 1)?.[0];
    if (target === undefined) throw new Error('no version with one release was published');
    const rolledBack = await registry.rollback(target);
    await vi.waitFor(
      async () => {
        expect((await primary.supergraph()).version).toBe(rolledBack.version);
      },
      { timeout: 5_000, interval: 50 },
    );
    expect((await primary.server.query('{ release1 }')).data).toEqual({ release1: 'release1' });
    const gone = await primary.server.query('{ release2 }');
    expect(gone.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('brings two replicas to the same version', async () => {
    const second = await startFollowingGateway(registry, lastGoodPath());
    gateways.push(second);
    const version = await publish(3);
    for (const gateway of [primary, second])
      await vi.waitFor(
        async () => {
          expect((await gateway.supergraph()).version).toBe(version);
        },
        { timeout: 5_000, interval: 50 },
      );
    for (const gateway of [primary, second])
      expect((await gateway.server.query('{ release3 }')).data).toEqual({ release3: 'release3' });
  });

  it('starts from its last good copy while the registry is down, and not at all without one', async () => {
    const lastServed = (await primary.supergraph()).version;
    await registry.stop();
    const restarted = await startFollowingGateway(registry, primaryLastGood);
    gateways.push(restarted);
    expect((await restarted.supergraph()).version).toBe(lastServed);
    expect((await restarted.server.query('{ release3 }')).data).toEqual({ release3: 'release3' });

    await expect(startFollowingGateway(registry, lastGoodPath())).rejects.toBeInstanceOf(
      ConfigError,
    );
  });
});
