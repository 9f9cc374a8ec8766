import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql, startStack, type Stack } from '../support/stack.ts';

const PRODUCTS_WITH_REVIEWS = `{
  products(first: 3) { edges { node { id name averageRating reviews(first: 1) { rating } } } }
}`;

interface ProductsData {
  products: {
    edges: {
      node: { id: string; name: string; averageRating: number | null; reviews: unknown[] | null };
    }[];
  };
}

describe('a subgraph goes down while the gateway serves', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('answers with partial data and a typed error naming the subgraph, and reports it in /readyz', async () => {
    const healthy = await graphql<ProductsData>(stack.gateway.url, PRODUCTS_WITH_REVIEWS);
    expect(healthy.body.errors).toBeUndefined();
    expect(healthy.body.data?.products.edges).toHaveLength(3);

    await stack.subgraphs.content.stop('SIGKILL');

    const partial = await graphql<ProductsData>(stack.gateway.url, PRODUCTS_WITH_REVIEWS);
    expect(partial.status).toBe(200);
    const edges = partial.body.data?.products.edges ?? [];
    expect(edges.map((edge) => edge.node.name)).toEqual(
      healthy.body.data?.products.edges.map((edge) => edge.node.name),
    );
    expect(
      edges.every((edge) => edge.node.reviews === null && edge.node.averageRating === null),
    ).toBe(true);
    const error = partial.body.errors?.[0];
    expect(error?.extensions?.['serviceName']).toBe('content');
    expect(error?.extensions?.['code']).toBe('UPSTREAM_UNAVAILABLE');

    // The gateway itself keeps serving what it can.
    const usersOnly = await graphql<{ user: { name: string } }>(
      stack.gateway.url,
      '{ user(id: "1") { name } }',
    );
    expect(usersOnly.body.errors).toBeUndefined();
    expect(usersOnly.body.data?.user.name).toEqual(expect.any(String));

    const ready = await fetch(`${stack.gateway.url}/readyz`);
    expect(ready.status).toBe(503);
    const report = (await ready.json()) as { subgraphs: Record<string, { status: string }> };
    expect(report.subgraphs['content']?.status).toBe('down');
    expect(report.subgraphs['users']?.status).toBe('up');
  });
});
