// Issue 12: the orders graph as a webhook destination. A signed Shopify `orders/create` goes
// through the webhooks service, is shaped by deploy/webhooks.yaml's own `orders` transform into a
// placeOrder mutation keyed by the delivery's Idempotency-Key, and places one order through the
// real gateway and subgraphs (authenticated by an API key with orders:write + orders:admin). A
// GraphQL answer with `errors` is a failure: a refusal (BAD_USER_INPUT) is a dead letter at once.
// The transform names PlaceOrder by the id it is registered under as a trusted document
// (webhooks/persisted-query-manifest.json, added to deploy/trusted-documents.json), so all of this
// holds on a gateway enforcing nothing, on one where every client may run registered operations
// only (TRUSTED_DOCUMENTS_ONLY_CLIENTS=*), and on one whose store lacks it (the text runs as APQ).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticator, generateApiKey } from '@manifold/platform/auth';
import { startRedisServer, type RedisServer } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../gateway/src/trusted-documents/manifest.ts';
import {
  loadTrustedDocuments,
  type TrustedDocuments,
} from '../gateway/src/trusted-documents/store.ts';
import { loadWebhooksFile } from '../webhooks/src/settings/webhooks-file.ts';
import { sign } from '../webhooks/test/signers.ts';
import {
  deliveryOf,
  referenceDestination,
  startWebhooks,
  type TestWebhooks,
} from '../webhooks/test/support.ts';
import { REPO_ROOT } from './e2e/support/processes.ts';
import { apiKeyAccess } from './support/api-key-access.ts';
import { startGraphOverHttp, type GraphOverHttp } from './support/graph-over-http.ts';

const SHOPIFY_SECRET = 'shopify-destinations-test';
const ordersKey = generateApiKey();
const authenticate = createAuthenticator({
  access: apiKeyAccess({
    'webhooks-orders': { key: ordersKey, scopes: ['orders:read', 'orders:write', 'orders:admin'] },
  }),
});
/** The committed reference destination, as operators get it: its transform under test. */
const reference = referenceDestination('orders');
/** The committed store, as the gateway loads it by default (TRUSTED_DOCUMENTS_PATH). */
const committedStore = loadTrustedDocuments(join(REPO_ROOT, 'deploy/trusted-documents.json'));
const emptyStore: TrustedDocuments = new Map<string, string>();

let redis: RedisServer;
const aofDir = mkdtempSync(join(tmpdir(), 'order-destination-aof-'));

beforeAll(async () => {
  redis = await startRedisServer({ appendOnlyDir: aofDir });
}, 30_000);
afterAll(async () => {
  await redis.stop();
  rmSync(aofDir, { recursive: true, force: true });
});

/** A Shopify `orders/create`, signed as Shopify documents it (base64 HMAC of the raw body). */
function shopifyOrder(customerId: string, lines: { productId: string; quantity: number }[]) {
  const id = randomUUID();
  return {
    id,
    ...sign.shopify(SHOPIFY_SECRET, {
      id,
      type: 'orders/create',
      resource: {
        id: Date.now(),
        note_attributes: [{ name: 'manifold_customer_id', value: customerId }],
        line_items: lines.map((line) => ({
          quantity: line.quantity,
          properties: [{ name: 'manifold_product_id', value: line.productId }],
        })),
      },
    }),
  };
}

describe("the orders transform's operation", () => {
  it('is PlaceOrder as registered: in the committed manifest and the store, under the id it sends', async () => {
    const { destinations } = loadWebhooksFile(join(REPO_ROOT, 'deploy/webhooks.yaml'), {
      WEBHOOKS_ORDERS_API_KEY: ordersKey.key,
    });
    const event = shopifyOrder('2', [{ productId: '1', quantity: 1 }]);
    const sent = JSON.parse(
      (await destinations['orders']?.transform?.apply({
        event: {
          source: 'shopify',
          id: event.id,
          type: 'orders/create',
          receivedAt: new Date().toISOString(),
          idempotencyKey: 'k',
        },
        body: JSON.parse(event.body) as unknown,
      })) ?? '',
    ) as { query: string; extensions: { persistedQuery: { sha256Hash: string } } };
    const id = sent.extensions.persistedQuery.sha256Hash;
    const manifest = readManifest(
      readFileSync(join(REPO_ROOT, 'webhooks/persisted-query-manifest.json'), 'utf8'),
    );
    expect(manifest).toContainEqual(
      expect.objectContaining({ id, name: 'PlaceOrder', body: sent.query }),
    );
    expect(committedStore.get(id)).toBe(sent.query);
  });
});

/**
 * The gateways the transform must work through; `adHocText` is how each answers that client's
 * ad-hoc text (so a lock-down that is not in force cannot pass for one that is).
 */
const GATEWAYS = [
  {
    gateway: 'enforcing no trusted documents',
    documents: committedStore,
    onlyClients: [],
    adHocText: 'data',
  },
  {
    gateway:
      'where every client may run registered operations only (TRUSTED_DOCUMENTS_ONLY_CLIENTS=*)',
    documents: committedStore,
    onlyClients: ['*'],
    adHocText: 'TRUSTED_DOCUMENT_REQUIRED',
  },
  {
    gateway: 'whose store lacks PlaceOrder, enforcing nothing',
    documents: emptyStore,
    onlyClients: [],
    adHocText: 'data',
  },
] as const;

describe.each(GATEWAYS)(
  'a Shopify order routed to the orders graph, through a gateway $gateway',
  ({ documents, onlyClients, adHocText }) => {
    let graph: GraphOverHttp;
    let webhooks: TestWebhooks;
    const stops: (() => unknown)[] = [];

    beforeAll(async () => {
      graph = await startGraphOverHttp({
        authenticate,
        gateway: {
          trustedDocuments: { documents: () => documents, onlyClients: new Set(onlyClients) },
        },
      });
      stops.push(() => graph.close());
      webhooks = await startWebhooks({
        redisUrl: redis.url,
        file: {
          sources: { shopify: { scheme: 'shopify', secrets: ['SHOPIFY_SECRET'] } },
          destinations: { orders: { ...reference, url: `${graph.gateway.url}/graphql` } },
          routes: [{ source: 'shopify', events: ['orders/create'], to: ['orders'] }],
        },
        secrets: { SHOPIFY_SECRET, WEBHOOKS_ORDERS_API_KEY: ordersKey.key },
      });
      stops.push(() => webhooks.close());
      webhooks.startWorkers();
    }, 60_000);
    afterAll(async () => {
      for (const stop of stops.reverse()) await stop();
    });

    const ordersDb = () => graph.databases.orders;
    const ordersOf = (customerId: number) =>
      ordersDb().get<{ n: number }>(
        'SELECT count(*) AS n FROM orders WHERE customer_id = ?',
        customerId,
      )?.n;

    it(`answers webhooks-orders' ad-hoc text with ${adHocText}`, async () => {
      const response = await fetch(`${graph.gateway.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': ordersKey.key },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      const answer = (await response.json()) as { errors?: { extensions: { code: string } }[] };
      expect({ status: response.status, code: answer.errors?.[0]?.extensions.code }).toEqual(
        adHocText === 'data'
          ? { status: 200, code: undefined }
          : { status: 403, code: 'TRUSTED_DOCUMENT_REQUIRED' },
      );
    });

    it('places one order through the gateway, keyed by the delivery', async () => {
      const before = ordersOf(2) ?? 0;
      const event = shopifyOrder('2', [
        { productId: '1', quantity: 2 },
        { productId: '3', quantity: 1 },
      ]);
      expect((await webhooks.post('shopify', event)).status).toBe(202);
      const id = await deliveryOf(webhooks, event.id, 'completed');
      const kept = ordersDb().all<{ order_id: number }>(
        'SELECT order_id FROM idempotency_keys WHERE key = ?',
        id,
      );
      expect(kept).toHaveLength(1);
      expect(ordersOf(2)).toBe(before + 1);
      const orderId = kept[0]!.order_id;
      const order = ordersDb().get<{ customer_id: number }>(
        'SELECT customer_id FROM orders WHERE id = ?',
        orderId,
      );
      expect(order).toEqual({ customer_id: 2 });
      const lines = ordersDb().all<{ product_id: number; quantity: number }>(
        'SELECT product_id, quantity FROM order_lines WHERE order_id = ? ORDER BY product_id',
        orderId,
      );
      expect(lines).toEqual([
        { product_id: 1, quantity: 2 },
        { product_id: 3, quantity: 1 },
      ]);
    });

    it('refused by the graph (200 with BAD_USER_INPUT) is a dead letter at once', async () => {
      const event = shopifyOrder('2', [{ productId: 'not-a-product', quantity: 1 }]);
      expect((await webhooks.post('shopify', event)).status).toBe(202);
      const id = await deliveryOf(webhooks, event.id, 'failed');
      const letter = (await (await fetch(`${webhooks.url}/api/v1/dead-letters/${id}`)).json()) as {
        history: { attempt: number; status?: number; error?: string; response?: string }[];
      };
      expect(letter.history).toEqual([
        expect.objectContaining({
          attempt: 1,
          status: 200,
          error: 'GraphQL errors: BAD_USER_INPUT',
        }),
      ]);
      expect(ordersDb().all('SELECT order_id FROM idempotency_keys WHERE key = ?', id)).toEqual([]);
    });
  },
);
