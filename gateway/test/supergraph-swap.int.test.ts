// Swapping the supergraph while serving, through the gateway's SupergraphSource seam: a source in
// this test hands versions over, as the registry's does (test/registry-follow.test.ts runs the
// real registry).
import { createCache } from '@manifold/platform/cache';
import { serveGraphQL, silentLogger, type TestGraphQLServer } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../src/app.ts';
import { parseSupergraph, type Supergraph } from '../src/supergraph.ts';
import type { SupergraphSource } from '../src/supergraph-swap.ts';
import { composeTiny, FED, startTinySubgraph, TEST_TRUST, type TinySubgraph } from './support.ts';

/** A source whose versions the test offers by hand. */
function handSource(first: Supergraph) {
  let offer: ((next: Supergraph) => Promise<void>) | undefined;
  const source: SupergraphSource = {
    initial: async (check) => {
      await check(first);
      return first;
    },
    follow: (receive) => {
      offer = receive;
    },
    status: () => ({}),
    stop: () => Promise.resolve(),
  };
  return {
    source,
    offer: (next: Supergraph) => {
      if (!offer) throw new Error('the gateway does not follow the source');
      return offer(next);
    },
  };
}

describe('swapping the supergraph while serving', () => {
  let subgraph: TinySubgraph;
  let server: TestGraphQLServer;
  let close: () => Promise<void>;
  let offer: (next: Supergraph) => Promise<void>;
  let releaseSlow: () => void = () => undefined;
  const slowStarted = vi.fn();
  const version = (id: string, fields: string) =>
    parseSupergraph(
      composeTiny([
        { name: 'accounts', url: subgraph.url, sdl: `${FED}\ntype Query { ${fields} }` },
      ]),
      { origin: `version ${id}`, version: id },
    );

  beforeAll(async () => {
    subgraph = await startTinySubgraph(
      'accounts',
      `${FED}\ntype Query { base: String  slow: String  fresh: String }`,
      {
        Query: {
          base: () => 'ok',
          fresh: () => 'fresh',
          slow: () =>
            new Promise((resolve) => {
              slowStarted();
              releaseSlow = () => {
                resolve('slow');
              };
            }),
        },
      },
    );
    const hand = handSource(version('1', 'base: String  slow: String'));
    offer = hand.offer;
    const app = await createApp({
      supergraph: hand.source,
      logger: silentLogger('gateway'),
      cache: createCache({ namespace: 'gateway-test', logger: silentLogger() }),
      production: false,
      identity: TEST_TRUST.signer,
    });
    server = await serveGraphQL(app.app);
    close = async () => {
      await server.close();
      await app.close();
      await subgraph.stop();
    };
  });

  afterAll(async () => {
    releaseSlow();
    await close();
  });

  const served = async () =>
    ((await (await fetch(`${server.url}/healthz`)).json()) as { supergraph: { version: string } })
      .supergraph.version;

  it('lets a request in flight finish on the old version while new ones get the new one', async () => {
    expect(await served()).toBe('1');
    const inFlight = server.query('{ slow }');
    await vi.waitFor(() => {
      expect(slowStarted).toHaveBeenCalled();
    });

    await offer(version('2', 'base: String  fresh: String'));
    expect(await served()).toBe('2');
    expect((await server.query('{ fresh }')).data).toEqual({ fresh: 'fresh' });
    const removed = await server.query('{ slow }');
    expect(removed.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    releaseSlow();
    const finished = await inFlight;
    expect(finished.errors).toBeUndefined();
    expect(finished.data).toEqual({ slow: 'slow' });
  });

  it('refuses a version that does not load and keeps serving the one it has', async () => {
    const good = version('3', 'base: String  fresh: String');
    const broken: Supergraph = {
      ...good,
      version: '4',
      // A supergraph that parses, but whose Query names a type it does not define.
      sdl: good.sdl.replace('fresh: String', 'fresh: Missing'),
    };
    expect(broken.sdl).not.toBe(good.sdl);
    await expect(offer(broken)).rejects.toThrow();
    expect(await served()).toBe('2');
    expect((await server.query('{ base fresh }')).data).toEqual({ base: 'ok', fresh: 'fresh' });

    await offer(good);
    expect(await served()).toBe('3');
  });
});
