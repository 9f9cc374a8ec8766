// Usage reporting end to end (issue 14): a real gateway process follows a real registry process
// and reports which fields its clients' operations use; the registry's check of a breaking change
// to a used field then fails and names the operation and the client.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTinySubgraph, TEST_TRUST, type TinySubgraph } from '../../../gateway/test/support.ts';
import { startRegistry, type TestRegistry } from '../../support/registry.ts';
import { freePort, startService, type ServiceProcess } from '../support/processes.ts';

const PRODUCTS_SDL = readFileSync(
  new URL('../../../subgraphs/products/src/schema.graphql', import.meta.url),
  'utf8',
);
const DEAL_FIELDS = ['id: ID!', 'title: String!', 'legacyCode: String', 'internalNote: String'];
/** The real products SDL plus deals, with the Deal fields given. */
const productsSdl = (dealFields: readonly string[]) =>
  `${PRODUCTS_SDL}\nextend type Query {\n  deals(limit: Int): [Deal!]!\n}\ntype Deal {\n${dealFields
    .map((field) => `  ${field}\n`)
    .join('')}}\n`;
const without = (name: string) => DEAL_FIELDS.filter((field) => !field.startsWith(`${name}:`));

describe('usage reporting from the gateway to the registry', () => {
  let registry: TestRegistry;
  let products: TinySubgraph;
  let gateway: ServiceProcess;

  beforeAll(async () => {
    registry = await startRegistry();
    products = await startTinySubgraph('products', productsSdl(DEAL_FIELDS), {
      Query: {
        deals: () => [{ id: '1', title: 'Winter sale', legacyCode: 'W-1', internalNote: 'n' }],
      },
    });
    await registry.publish('products', { sdl: productsSdl(DEAL_FIELDS), url: products.url });
    gateway = await startService({
      name: 'gateway',
      entry: 'gateway/src/main.ts',
      port: await freePort(),
      env: {
        GATEWAY_IDENTITY_SECRET: TEST_TRUST.secret,
        SUPERGRAPH_SOURCE: registry.url,
        SUPERGRAPH_SOURCE_API_KEY: registry.key,
        SUPERGRAPH_LAST_GOOD_PATH: join(mkdtempSync(join(tmpdir(), 'usage-e2e-')), 'sg.json'),
        USAGE_REPORTING_URL: registry.url,
        USAGE_REPORTING_INTERVAL_MS: '200',
      },
      // /readyz probes every subgraph, and only products runs here.
      readyPath: '/healthz',
    });
  });

  afterAll(async () => {
    await gateway.stop();
    await products.stop();
    await registry.stop();
  });

  it('fails the check of a breaking change to a field an operation used, naming it and its client', async () => {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'apollographql-client-name': 'storefront-web',
        'apollographql-client-version': '2.3.0',
      },
      body: JSON.stringify({ query: 'query Deals { deals(limit: 3) { id title legacyCode } }' }),
    });
    expect(await response.json()).toEqual({
      data: { deals: [{ id: '1', title: 'Winter sale', legacyCode: 'W-1' }] },
    });

    // Reports go out in the background (every 200 ms here): the check sees them soon after.
    await vi.waitFor(
      async () => {
        const report = await registry.check('products', {
          sdl: productsSdl(without('legacyCode')),
        });
        expect(report.ok).toBe(false);
        const used = report.errors.find((issue) => issue.coordinate === 'Deal.legacyCode');
        expect(used?.kind).toBe('breaking-change');
        expect(used?.change?.usage?.operations).toEqual([
          expect.objectContaining({
            name: 'Deals',
            clients: [expect.objectContaining({ name: 'storefront-web', version: '2.3.0' })],
          }),
        ]);
      },
      { timeout: 20_000, interval: 250 },
    );
  });

  it('only warns about the same change to a field no operation used', async () => {
    const report = await registry.check('products', { sdl: productsSdl(without('internalNote')) });
    expect(report.ok).toBe(true);
    expect(report.warnings.map((issue) => issue.coordinate)).toContain('Deal.internalNote');
  });
});
