import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessGraph, type InProcessGraph } from './support/in-process-graph.ts';
import { STOREFRONT_QUERY, type StorefrontData } from './support/storefront.ts';

let graph: InProcessGraph;
beforeAll(async () => {
  graph = await startInProcessGraph();
});
afterAll(async () => {
  await graph.stop();
});

async function run<TData>(query: string, variables: Record<string, unknown> = {}) {
  const response = await graph.server.executeOperation<TData>({ query, variables });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return response.body.singleResult;
}

/** Statements each subgraph executed while `work` ran. */
async function statementsPerSubgraph(
  work: () => Promise<unknown>,
): Promise<Record<string, number>> {
  const before = Object.fromEntries(
    Object.entries(graph.databases).map(([name, db]) => [name, db.statementCount]),
  );
  await work();
  return Object.fromEntries(
    Object.entries(graph.databases).map(([name, db]) => [
      name,
      db.statementCount - (before[name] ?? 0),
    ]),
  );
}

describe('federation of the four subgraphs (in process)', () => {
  it('answers the Storefront query with data from every subgraph', async () => {
    const result = await run<StorefrontData>(STOREFRONT_QUERY, { userId: '1' });
    expect(result.errors).toBeUndefined();
    const user = result.data?.user;
    expect(user?.orders.edges.length).toBeGreaterThan(0);
    const line = user?.orders.edges[0]?.node.lines[0];
    expect(line?.product?.sku).toMatch(/^SKU-\d{5}$/); // products
    expect(line?.product?.shippingEstimate?.amount).toMatch(/^\d+\.\d{2}$/); // orders, @requires weightGrams from products
    expect(result.data?.products.edges).toHaveLength(5);
    expect(result.data?.products.edges.some((edge) => edge.node.reviews.length > 0)).toBe(true); // content
  });

  it('resolves a product by either key', async () => {
    const result = await run<{ productBySku: { id: string; averageRating: number | null } }>(
      '{ productBySku(sku: "SKU-00042") { id averageRating } }',
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.productBySku.id).toBe('42');
  });

  it('places an order once per idempotency key, through the gateway', async () => {
    const mutation = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id number status total { amount currency } customer { name } lines { quantity product { sku } } } }`;
    const input = {
      customerId: '7',
      idempotencyKey: `federation-${Date.now()}`,
      lines: [{ productId: '3', quantity: 2 }],
    };
    const first = await run<{
      placeOrder: { id: string; customer: { name: string }; lines: { product: { sku: string } }[] };
    }>(mutation, { input });
    expect(first.errors).toBeUndefined();
    expect(first.data?.placeOrder.customer.name).toEqual(expect.any(String));
    expect(first.data?.placeOrder.lines[0]?.product.sku).toBe('SKU-00003');
    const again = await run<{ placeOrder: { id: string } }>(mutation, { input });
    expect(again.data?.placeOrder.id).toBe(first.data?.placeOrder.id);
  });
});

describe('batching (N+1)', () => {
  const ordersQuery = (users: number, orders: number) => `{
    users(first: ${users}) { edges { node { name orders(first: ${orders}) { totalCount edges { node { number total { amount }
      customer { name } lines { quantity product { sku name price { amount } shippingEstimate { amount } averageRating } } } } } } } }
  }`;

  it('costs the same number of SQL statements per subgraph whatever the page sizes', async () => {
    const small = await statementsPerSubgraph(() => run(ordersQuery(2, 1)));
    const large = await statementsPerSubgraph(() => run(ordersQuery(50, 50)));
    expect(large).toEqual(small);
    // And it is a handful, not one per row.
    for (const count of Object.values(large)) expect(count).toBeLessThanOrEqual(10);
  });

  it('user.orders(first: 50) { lines { product } } costs the same as first: 5', async () => {
    const query = (first: number) =>
      `{ user(id: "1") { orders(first: ${first}) { edges { node { lines { product { sku name reviews(first: 2) { rating author { name } } } } } } } } }`;
    const small = await statementsPerSubgraph(() => run(query(5)));
    const large = await statementsPerSubgraph(() => run(query(50)));
    expect(large).toEqual(small);
  });
});
