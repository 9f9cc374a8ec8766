// Issue 12: the orders graph as a webhook destination. A signed Shopify `orders/create` goes
// through the webhooks service, is shaped by deploy/webhooks.yaml's own `orders` transform into a
// placeOrder mutation keyed by the delivery's Idempotency-Key, and places one order through the
// real gateway and subgraphs (authenticated by an API key with orders:write + orders:admin). A
// GraphQL answer with `errors` is a failure: a refusal (BAD_USER_INPUT) is a dead letter at once.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthenticator, generateApiKey } from '@manifold/platform/auth';
import { startRedisServer, type RedisServer } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sign } from '../webhooks/test/signers.ts';
import {
  deliveryOf,
  referenceDestination,
  startWebhooks,
  type TestWebhooks,
} from '../webhooks/test/support.ts';
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

let redis: RedisServer;
let graph: GraphOverHttp;
let webhooks: TestWebhooks;
const stops: (() => unknown)[] = [];
const aofDir = mkdtempSync(join(tmpdir(), 'order-destination-aof-'));

beforeAll(async () => {
  redis = await startRedisServer({ appendOnlyDir: aofDir });
  stops.push(() => redis.stop());
  graph = await startGraphOverHttp({ authenticate });
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

const ordersDb = () => graph.databases.orders;

describe('a Shopify order routed to the orders graph', () => {
  it('places one order through the gateway, keyed by the delivery', async () => {
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
      expect.objectContaining({ attempt: 1, status: 200, error: 'GraphQL errors: BAD_USER_INPUT' }),
    ]);
    expect(ordersDb().all('SELECT order_id FROM idempotency_keys WHERE key = ?', id)).toEqual([]);
  });
});
