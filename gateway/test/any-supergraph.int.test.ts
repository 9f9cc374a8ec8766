import { fileURLToPath } from 'node:url';
import { createCache } from '@manifold/platform/cache';
import { serveGraphQL, silentLogger, testGatewayIdentity } from '@manifold/platform/testing';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { loadSupergraph } from '../src/supergraph.ts';

const BENCHMARK = fileURLToPath(
  new URL('../../test/fixtures/gateways-benchmark/supergraph.graphql', import.meta.url),
);

describe('serving a supergraph that is not ours', () => {
  it('loads the public gateway benchmark supergraph and exposes its schema', async () => {
    const { app, close } = await createApp({
      supergraph: loadSupergraph(BENCHMARK),
      logger: silentLogger('gateway'),
      cache: createCache({ namespace: 'gateway-test', logger: silentLogger() }),
      production: false,
      identity: testGatewayIdentity().signer,
    });
    const server = await serveGraphQL(app);
    try {
      const { data } = await server.query<{ __schema: { types: { name: string }[] } }>(
        '{ __schema { types { name } } }',
      );
      const names = new Set(data?.__schema.types.map((type) => type.name));
      for (const type of ['User', 'Product', 'Review']) expect(names).toContain(type);
    } finally {
      await server.close();
      await close();
    }
  });
});
