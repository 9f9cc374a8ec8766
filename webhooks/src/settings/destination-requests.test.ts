import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '@manifold/platform/config';
import { describe, expect, it } from 'vitest';
import { parsedBody, TransformError } from '../delivery/transform.ts';
import { createRouter } from './routing.ts';
import { loadWebhooksFile } from './webhooks-file.ts';

const write = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'webhooks-file-')), 'webhooks.yaml');
  writeFileSync(path, text);
  return path;
};
const DEPLOY_FILE = fileURLToPath(new URL('../../../deploy/webhooks.yaml', import.meta.url));
const keys = { WEBHOOKS_TICKETS_API_KEY: 'tickets-key', WEBHOOKS_ORDERS_API_KEY: 'orders-key' };
const event = {
  source: 'stripe',
  id: 'evt_1',
  type: 'invoice.paid',
  receivedAt: '2026-12-04T20:00:00.000Z',
  idempotencyKey: 'stripe-abc-tickets',
};

/** The ConfigError's problems, or a failure when `load` does not throw one. */
function problemsOf(load: () => unknown): readonly string[] {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('no ConfigError');
}

describe('destination request shaping in the webhooks file', () => {
  it('refuses the start on an expression that is not JSONata, naming the destination', () => {
    const path = write(
      'destinations: { tickets: { url: "http://a.test/", transform: "{ \\"a\\": " } }\n',
    );
    const [problem] = problemsOf(() => loadWebhooksFile(path, {}));
    expect(problem).toMatch(/destinations\.tickets\.transform: not a JSONata expression: S0\d+/);
  });

  it('refuses the start when a required apiKey variable is unset, naming it', () => {
    const path = write(
      'destinations: { tickets: { url: "http://a.test/", apiKey: TICKETS_KEY } }\n',
    );
    const [problem] = problemsOf(() => loadWebhooksFile(path, {}));
    expect(problem).toMatch(
      /destinations\.tickets\.apiKey: TICKETS_KEY \(or TICKETS_KEY_FILE\) is not set/,
    );
    const set = loadWebhooksFile(path, { TICKETS_KEY: 'k' }).destinations['tickets'];
    expect(set?.apiKey?.value()).toBe('k');
    expect(set?.method).toBe('POST');
  });

  it('refuses `optional` without an apiKey (nothing could be missing)', () => {
    const path = write('destinations: { crm: { url: "http://a.test/", optional: true } }\n');
    expect(problemsOf(() => loadWebhooksFile(path, {}))[0]).toMatch(
      /crm\.optional: only with apiKey/,
    );
  });

  it('leaves an optional destination without its key out, with its routes, and says which', () => {
    const file = loadWebhooksFile(DEPLOY_FILE, {});
    expect(file.destinations['tickets']).toBeUndefined();
    expect(file.destinations['orders']).toBeUndefined();
    expect(file.skipped).toEqual([
      { destination: 'tickets', variable: 'WEBHOOKS_TICKETS_API_KEY' },
      { destination: 'orders', variable: 'WEBHOOKS_ORDERS_API_KEY' },
    ]);
    const route = createRouter(file.routes);
    expect(route('stripe', 'invoice.paid')).toEqual(['accounting', 'crm', 'chat']);
    expect(route('shopify', 'orders/create')).toEqual(['accounting', 'crm']);

    const keyed = loadWebhooksFile(DEPLOY_FILE, keys);
    expect(keyed.skipped).toEqual([]);
    expect(createRouter(keyed.routes)('stripe', 'invoice.paid')).toEqual([
      'accounting',
      'crm',
      'chat',
      'tickets',
    ]);
    expect(createRouter(keyed.routes)('shopify', 'orders/create')).toEqual([
      'accounting',
      'crm',
      'orders',
    ]);
    expect(keyed.destinations['tickets']?.url).toBe('http://127.0.0.1:4200/api/v1/tickets');
    expect(keyed.destinations['orders']).toMatchObject({
      url: 'http://127.0.0.1:4000/graphql',
      graphql: true,
    });
  });
});

describe("the reference file's transforms", () => {
  const { destinations } = loadWebhooksFile(DEPLOY_FILE, keys);
  const tickets = destinations['tickets']?.transform;
  const orders = destinations['orders']?.transform;

  it("build the legacy adapter's CreateTicket from a paid Stripe invoice", async () => {
    const invoice = {
      number: 'INV-0042',
      amount_paid: 12_350,
      currency: 'eur',
      customer: 'cus_123',
      customer_email: 'ada@example.com',
      metadata: { legacy_customer_id: '7' },
    };
    const body = await tickets?.apply({ event, body: { data: { object: invoice } } });
    expect(JSON.parse(body ?? '')).toEqual({
      customerId: 7,
      subject: 'Invoice INV-0042 paid: 123.50 EUR by ada@example.com',
      urgent: false,
    });
  });

  it('fail with their own message when the invoice does not name its legacy customer', async () => {
    await expect(
      tickets?.apply({ event, body: { data: { object: { number: 'INV-1' } } } }),
    ).rejects.toThrow(
      /^transform failed: D3141 the invoice has no metadata\.legacy_customer_id \(its customer in the legacy app\)/,
    );
  });

  it('build a placeOrder mutation keyed by the delivery from a Shopify order', async () => {
    const order = {
      id: 820982911946154500,
      note_attributes: [{ name: 'manifold_customer_id', value: '12' }],
      line_items: [
        { quantity: 2, properties: [{ name: 'manifold_product_id', value: 301 }] },
        { quantity: 1, properties: [{ name: 'manifold_product_id', value: '302' }] },
      ],
    };
    const body = await orders?.apply({
      event: {
        ...event,
        source: 'shopify',
        type: 'orders/create',
        idempotencyKey: 'shopify-x-orders',
      },
      body: order,
    });
    const sent = JSON.parse(body ?? '') as { query: string };
    expect(sent).toEqual({
      operationName: 'PlaceOrder',
      query: expect.stringContaining('placeOrder(input: $input)') as unknown,
      // Its trusted document id, the text's sha256: an edit to one without the other shows here.
      extensions: {
        persistedQuery: {
          version: 1,
          sha256Hash: createHash('sha256').update(sent.query).digest('hex'),
        },
      },
      variables: {
        input: {
          customerId: '12',
          lines: [
            { productId: '301', quantity: 2 },
            { productId: '302', quantity: 1 },
          ],
          idempotencyKey: 'shopify-x-orders',
        },
      },
    });
  });
});

describe('a transform at delivery', () => {
  it('refuses a body that is not JSON, and an expression with no result', async () => {
    expect(() => parsedBody('a=1&b=2')).toThrow("transform failed: the event's body is not JSON");
    const path = write(
      'destinations: { x: { url: "http://a.test/", transform: "body.missing" } }\n',
    );
    const transform = loadWebhooksFile(path, {}).destinations['x']?.transform;
    await expect(transform?.apply({ event, body: {} })).rejects.toThrow(
      'transform failed: the expression gave no result',
    );
    await expect(transform?.apply({ event, body: {} })).rejects.toBeInstanceOf(TransformError);
  });
});
