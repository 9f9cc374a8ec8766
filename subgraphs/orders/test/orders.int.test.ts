import {
  serveGraphQL,
  silentLogger,
  type GraphQLTestResponse,
  type TestGraphQLServer,
  testGatewayIdentity,
} from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { openOrdersDatabase } from '../src/data/database.ts';

// A small but dense dataset: ~20 orders per customer, so pages really page.
const db = openOrdersDatabase({
  path: ':memory:',
  orderCount: 2_000,
  userCount: 100,
  productCount: 200,
});
let server: TestGraphQLServer;

beforeAll(async () => {
  const trust = testGatewayIdentity();
  const { app } = await createApp({
    db,
    logger: silentLogger('orders'),
    production: true,
    identity: trust.verifier,
  });
  server = await serveGraphQL(app, { headers: await trust.headers() });
});
afterAll(async () => {
  await server.close();
  db.close();
});

interface OrderNode {
  id: string;
  placedAt: string;
  total: { amount: string };
  lines: { quantity: number; unitPrice: { amount: string }; product: { id: string } }[];
}
interface OrdersPage {
  totalCount: number;
  edges: { node: OrderNode }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const USER_ORDERS = `query($r: [_Any!]!, $first: Int, $after: String) {
  _entities(representations: $r) { ... on User { id orders(first: $first, after: $after) {
    totalCount edges { node { id placedAt total { amount } lines { quantity unitPrice { amount } product { id } } } } pageInfo { hasNextPage endCursor }
  } } }
}`;

const userOrders = async (userId: string, first: number, after: string | null = null) => {
  const response: GraphQLTestResponse<{ _entities: { orders: OrdersPage }[] }> = await server.query(
    USER_ORDERS,
    { r: [{ __typename: 'User', id: userId }], first, after },
  );
  expect(response.errors).toBeUndefined();
  return response.data!._entities[0]!.orders;
};

const PLACE_ORDER = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id number status total { amount currency } lines { quantity unitPrice { amount } } } }`;

describe('orders subgraph', () => {
  it("pages through a user's orders newest first, each exactly once", async () => {
    const expected = db
      .all<{ id: number }>(
        'SELECT id FROM orders WHERE customer_id = 5 ORDER BY placed_at DESC, id DESC',
      )
      .map((row) => String(row.id));
    expect(expected.length).toBeGreaterThan(7);
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 50; guard++) {
      const page: OrdersPage = await userOrders('5', 3, after);
      expect(page.totalCount).toBe(expected.length);
      seen.push(...page.edges.map((edge) => edge.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);
  });

  it('totals an order as the sum of its lines', async () => {
    const page = await userOrders('9', 10);
    for (const { node } of page.edges) {
      const cents = node.lines.reduce(
        (sum, line) => sum + line.quantity * Math.round(Number(line.unitPrice.amount) * 100),
        0,
      );
      expect(Math.round(Number(node.total.amount) * 100)).toBe(cents);
    }
  });

  it('estimates shipping from the weight the gateway passes along', async () => {
    const { data } = await server.query<{
      _entities: { shippingEstimate: { amount: string; currency: string } }[];
    }>(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { shippingEstimate { amount currency } } } }`,
      {
        r: [
          { __typename: 'Product', id: '1', weightGrams: 1_200 },
          { __typename: 'Product', id: '2', weightGrams: 500 },
        ],
      },
    );
    expect(data?._entities).toEqual([
      { shippingEstimate: { amount: '6.49', currency: 'USD' } }, // 4.99 + 3 × 0.50
      { shippingEstimate: { amount: '5.49', currency: 'USD' } }, // 4.99 + 1 × 0.50
    ]);
  });

  it('places an order priced from the catalogue, and a repeated key returns it instead of a second one', async () => {
    const price = db.get<{ price_cents: number }>(
      'SELECT price_cents FROM product_prices WHERE product_id = 12',
    )!.price_cents;
    const input = {
      customerId: '3',
      idempotencyKey: 'checkout-abc-1',
      lines: [
        { productId: '12', quantity: 3 },
        { productId: '40', quantity: 1 },
      ],
    };
    const countBefore = db.get<{ n: number }>('SELECT count(*) AS n FROM orders')!.n;

    const first = await server.query<{
      placeOrder: { id: string; status: string; lines: { unitPrice: { amount: string } }[] };
    }>(PLACE_ORDER, { input });
    expect(first.errors).toBeUndefined();
    expect(first.data?.placeOrder.status).toBe('PENDING');
    expect(first.data?.placeOrder.lines[0]?.unitPrice.amount).toBe((price / 100).toFixed(2));

    const repeats = await Promise.all(
      Array.from({ length: 5 }, () =>
        server.query<{ placeOrder: { id: string } }>(PLACE_ORDER, { input }),
      ),
    );
    for (const repeat of repeats)
      expect(repeat.data?.placeOrder.id).toBe(first.data?.placeOrder.id);
    expect(db.get<{ n: number }>('SELECT count(*) AS n FROM orders')!.n).toBe(countBefore + 1);
  });

  it('refuses the same key with a different order (IDEMPOTENCY_KEY_REUSED) and writes nothing', async () => {
    const input = {
      customerId: '4',
      idempotencyKey: 'checkout-xyz',
      lines: [{ productId: '1', quantity: 1 }],
    };
    await server.query(PLACE_ORDER, { input });
    const countBefore = db.get<{ n: number }>('SELECT count(*) AS n FROM orders')!.n;
    const reused = await server.query(PLACE_ORDER, {
      input: { ...input, lines: [{ productId: '1', quantity: 2 }] },
    });
    expect(reused.errors?.[0]?.extensions?.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(db.get<{ n: number }>('SELECT count(*) AS n FROM orders')!.n).toBe(countBefore);
  });

  it('validates an order and points at every bad field', async () => {
    const invalid = await server.query(PLACE_ORDER, {
      input: {
        customerId: '3',
        idempotencyKey: 'bad key with spaces',
        lines: [{ productId: '1', quantity: 0 }],
      },
    });
    expect(invalid.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const pointers = (invalid.errors?.[0]?.extensions?.['errors'] as { pointer: string }[])
      .map((e) => e.pointer)
      .sort();
    expect(pointers).toEqual(['/input/idempotencyKey', '/input/lines/0/quantity']);

    const unknown = await server.query(PLACE_ORDER, {
      input: {
        customerId: '999999',
        idempotencyKey: 'k-unknown',
        lines: [
          { productId: '99999', quantity: 1 },
          { productId: '2', quantity: 1 },
          { productId: '2', quantity: 1 },
        ],
      },
    });
    const unknownPointers = (unknown.errors?.[0]?.extensions?.['errors'] as { pointer: string }[])
      .map((e) => e.pointer)
      .sort();
    expect(unknownPointers).toEqual([
      '/input/customerId',
      '/input/lines/0/productId',
      '/input/lines/2/productId',
    ]);
    expect(
      db.get('SELECT 1 AS found FROM idempotency_keys WHERE key = ?', 'k-unknown'),
    ).toBeUndefined();
  });

  it('rejects first > 100 and a forged cursor with BAD_USER_INPUT', async () => {
    for (const variables of [{ first: 101 }, { first: 2, after: 'forged' }]) {
      const { errors } = await server.query(USER_ORDERS, {
        r: [{ __typename: 'User', id: '1' }],
        ...variables,
      });
      expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('costs the same statements for 20 users whatever the page size (no N+1)', async () => {
    const query = `query($r: [_Any!]!, $first: Int) { _entities(representations: $r) { ... on User {
      orders(first: $first) { totalCount edges { node { total { amount } lines { product { id } } } } } } } }`;
    const r = Array.from({ length: 20 }, (_, i) => ({ __typename: 'User', id: String(i + 1) }));
    const cost = async (first: number) => {
      const before = db.statementCount;
      const { errors } = await server.query(query, { r, first });
      expect(errors).toBeUndefined();
      return db.statementCount - before;
    };
    const small = await cost(5);
    expect(await cost(50)).toBe(small);
    expect(small).toBe(3); // orders page, order count, lines
  });
});
