import { Client, fetchExchange } from '@urql/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STOREFRONT_QUERY, type StorefrontData } from '../../support/storefront.ts';
import { expectedStorefront } from '../../support/storefront-oracle.ts';
import { e2eAccess } from '../support/access.ts';
import { graphql, startStack, type Stack } from '../support/stack.ts';

/** Articles featuring a product have no contractual order: compare them as a set. */
function normalize(data: StorefrontData): StorefrontData {
  const copy = structuredClone(data);
  for (const edge of copy.user?.orders.edges ?? []) {
    for (const line of edge.node.lines) {
      line.product?.articles.sort((a, b) => a.title.localeCompare(b.title));
    }
  }
  return copy;
}

describe('the Storefront query over real HTTP through the gateway', () => {
  let stack: Stack;
  // A back-office key: orders and the user list are not public (docs/design.md).
  const { ACCESS_FILE, key } = e2eAccess();
  const withKey = { 'x-api-key': key };
  beforeAll(async () => {
    stack = await startStack({
      // The large query below costs ~2.2 million (operation limits, docs/runbooks/operation-limits.md):
      // far above the production maximum, which refuses it. Raised here, where what is under test
      // is that the gateway can answer it in full (entity fetches batched and split).
      gatewayEnv: { ACCESS_FILE, GRAPHQL_MAX_COST: '3000000', GRAPHQL_COST_BUDGET_PER_MINUTE: '0' },
    });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('answers in one request with data from all four subgraphs matching the seed', async () => {
    for (const userId of ['1', '4242']) {
      const { status, body } = await graphql<StorefrontData>(
        stack.gateway.url,
        STOREFRONT_QUERY,
        { userId },
        withKey,
      );
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      const expected = expectedStorefront(userId);
      expect(expected.user?.orders.totalCount).toBeGreaterThan(0);
      expect(normalize(body.data!)).toEqual(normalize(expected));
    }
  });

  it('answers a legitimate large query (100 users × their orders × products × reviews × authors) in full', async () => {
    const { status, body } = await graphql<{ users: { edges: unknown[] } }>(
      stack.gateway.url,
      `
        {
          users(first: 100) {
            edges {
              node {
                id
                orders(first: 100) {
                  edges {
                    node {
                      id
                      lines {
                        quantity
                        product {
                          name
                          shippingEstimate {
                            amount
                          }
                          reviews(first: 20) {
                            rating
                            author {
                              name
                            }
                          }
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      `,
      {},
      withKey,
    );
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data?.users.edges).toHaveLength(100);
  });

  it('serves urql with its defaults (queries over GET)', async () => {
    const client = new Client({ url: `${stack.gateway.url}/graphql`, exchanges: [fetchExchange] });
    const result = await client
      .query('query Name($id: ID!) { user(id: $id) { name } }', { id: '1' })
      .toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data).toEqual({ user: { name: expectedStorefront('1').user?.name } });
  });

  it('answers a malformed query with 400 GRAPHQL_PARSE_FAILED', async () => {
    const { status, body } = await graphql(stack.gateway.url, '{ user(id: "1") { name ');
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('answers an unknown field with 400 GRAPHQL_VALIDATION_FAILED', async () => {
    const { status, body } = await graphql(
      stack.gateway.url,
      '{ user(id: "1") { name favouriteColour } }',
    );
    expect(status).toBe(400);
    expect(body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers a bad page size with BAD_USER_INPUT naming the subgraph', async () => {
    const { body } = await graphql(stack.gateway.url, '{ products(first: 500) { totalCount } }');
    expect(body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(body.errors?.[0]?.extensions?.['serviceName']).toBe('products');
  });

  it('echoes a valid x-request-id', async () => {
    const response = await fetch(`${stack.gateway.url}/healthz`, {
      headers: { 'x-request-id': 'storefront-e2e-1' },
    });
    expect(response.headers.get('x-request-id')).toBe('storefront-e2e-1');
  });
});
