import {
  createAuthenticator,
  createJwtVerifier,
  EMPTY_ACCESS_POLICY,
  MANIFOLD_API_AUDIENCE,
  staticAccessPolicy,
} from '@manifold/platform/auth';
import type { GraphQLTestResponse } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphOverHttp, type GraphOverHttp } from './support/graph-over-http.ts';
import { startIdentityProvider, type TestIdentityProvider } from './support/identity-provider.ts';

// The contract (docs/design.md): me needs a caller; User.email/address the user or users:read;
// users(…) users:read; User.orders and Order the customer or orders:read; placeOrder
// orders:write, for the caller only unless orders:admin. Every token here comes from the
// reference identity provider.
let idp: TestIdentityProvider;
let graph: GraphOverHttp;
const tokens: Record<'user1' | 'user2' | 'admin', string> = { user1: '', user2: '', admin: '' };

beforeAll(async () => {
  idp = await startIdentityProvider();
  const jwt = createJwtVerifier({ issuer: idp.issuer, audience: MANIFOLD_API_AUDIENCE });
  graph = await startGraphOverHttp({
    authenticate: createAuthenticator({ access: staticAccessPolicy(EMPTY_ACCESS_POLICY), jwt }),
  });
  tokens.user1 = await idp.userToken('1');
  tokens.user2 = await idp.userToken('2');
  tokens.admin = await idp.serviceToken('back-office');
});
afterAll(async () => {
  await graph.close();
  await idp.close();
});

const as = (who: keyof typeof tokens | 'anonymous') =>
  who === 'anonymous' ? {} : { authorization: `Bearer ${tokens[who]}` };

const CONTRACT = `query Contract($id: ID!) {
  me { id }
  user(id: $id) { id name email address { city } orders(first: 2) { totalCount edges { node { number customer { id } } } } }
  users(first: 2) { totalCount edges { node { id email } } }
}`;

interface ContractData {
  me: { id: string } | null;
  user: {
    id: string;
    name: string;
    email: string | null;
    address: { city: string } | null;
    orders: {
      totalCount: number;
      edges: { node: { number: string; customer: { id: string } } }[];
    } | null;
  } | null;
  users: { totalCount: number; edges: { node: { id: string; email: string | null } }[] } | null;
}

/** Each error as "path: code", sorted, so a test states exactly which fields were refused and why. */
const refusals = (response: GraphQLTestResponse<unknown>) =>
  (response.errors ?? [])
    .map((error) => `${(error.path ?? []).join('.')}: ${error.extensions?.code}`)
    .sort();

describe('field-level authorization at the gateway (@authenticated, @requiresScopes, @policy)', () => {
  it('serves an anonymous caller the public fields and refuses the rest, each at its path', async () => {
    const response = await graph.gateway.query<ContractData>(
      CONTRACT,
      { id: '1' },
      as('anonymous'),
    );
    expect(response.status).toBe(200);
    expect(refusals(response)).toEqual([
      'me: UNAUTHENTICATED',
      'user.address: UNAUTHENTICATED',
      'user.email: UNAUTHENTICATED',
      'user.orders: UNAUTHENTICATED',
      'users: UNAUTHENTICATED',
    ]);
    expect(response.data).toEqual({
      me: null,
      user: { id: '1', name: expect.any(String), email: null, address: null, orders: null },
      users: null,
    });
  });

  it('shows a user everything of their own, and not the user list', async () => {
    const response = await graph.gateway.query<ContractData>(CONTRACT, { id: '1' }, as('user1'));
    expect(refusals(response)).toEqual(['users: FORBIDDEN']);
    const user = response.data?.user;
    expect(response.data?.me).toEqual({ id: '1' });
    expect(user?.email).toContain('@');
    expect(user?.address?.city).toEqual(expect.any(String));
    expect(user?.orders?.totalCount).toBeGreaterThan(0);
    for (const { node } of user?.orders?.edges ?? []) expect(node.customer.id).toBe('1');
    // What the policies inspected was fetched under hidden aliases, and never reaches the client.
    expect(JSON.stringify(response.data)).not.toContain('_authz_');
  });

  it("refuses another user's personal data and orders, and serves the rest", async () => {
    const response = await graph.gateway.query<ContractData>(CONTRACT, { id: '1' }, as('user2'));
    expect(refusals(response)).toEqual([
      'user.address: FORBIDDEN',
      'user.email: FORBIDDEN',
      'user.orders: FORBIDDEN',
      'users: FORBIDDEN',
    ]);
    expect(response.data).toEqual({
      me: { id: '2' },
      user: { id: '1', name: expect.any(String), email: null, address: null, orders: null },
      users: null,
    });
  });

  it('shows an admin (users:read, orders:read) everything; `me` needs a user, which a service token is not', async () => {
    const response = await graph.gateway.query<ContractData>(CONTRACT, { id: '1' }, as('admin'));
    expect(refusals(response)).toEqual(['me: UNAUTHENTICATED']);
    expect(response.data?.user?.email).toContain('@');
    expect(response.data?.user?.orders?.totalCount).toBeGreaterThan(0);
    expect(response.data?.users?.totalCount).toBe(10_000);
    for (const { node } of response.data?.users?.edges ?? []) expect(node.email).toContain('@');
  });

  it('serves an order to its customer only (a policy on the Order type, evaluated on the order)', async () => {
    const own = graph.databases.orders.get<{ id: number }>(
      'SELECT id FROM orders WHERE customer_id = 1 LIMIT 1',
    );
    const other = graph.databases.orders.get<{ id: number }>(
      'SELECT id FROM orders WHERE customer_id = 3 LIMIT 1',
    );
    const query =
      'query($a: ID!, $b: ID!) { mine: order(id: $a) { number } theirs: order(id: $b) { number } }';
    const response = await graph.gateway.query<{
      mine: { number: string } | null;
      theirs: unknown;
    }>(query, { a: String(own?.id), b: String(other?.id) }, as('user1'));
    expect(refusals(response)).toEqual(['theirs: FORBIDDEN']);
    expect(response.data?.mine?.number).toEqual(expect.any(String));
    expect(response.data?.theirs).toBeNull();
  });

  it('lets a user place orders for themself only; an admin for anyone; null propagates from the non-null placeOrder', async () => {
    const place = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { number customer { id } } }`;
    const input = (customerId: string, key: string) => ({
      input: {
        customerId,
        lines: [{ productId: '1', quantity: 1 }],
        idempotencyKey: `${key}-${Date.now()}`,
      },
    });
    const own = await graph.gateway.query<{ placeOrder: { customer: { id: string } } }>(
      place,
      input('1', 'own'),
      as('user1'),
    );
    expect(own.errors, JSON.stringify(own.errors)).toBeUndefined();
    expect(own.data?.placeOrder.customer.id).toBe('1');
    const forOther = await graph.gateway.query(place, input('2', 'other'), as('user1'));
    expect(refusals(forOther)).toEqual(['placeOrder: FORBIDDEN']);
    expect(forOther.data).toBeNull();
    const anonymous = await graph.gateway.query(place, input('2', 'anon'), as('anonymous'));
    expect(refusals(anonymous)).toEqual(['placeOrder: UNAUTHENTICATED']);
    const admin = await graph.gateway.query<{ placeOrder: { customer: { id: string } } }>(
      place,
      input('2', 'admin'),
      as('admin'),
    );
    expect(admin.errors).toBeUndefined();
    expect(admin.data?.placeOrder.customer.id).toBe('2');
  });

  it('refuses in fragments and lists alike, an error at each path', async () => {
    const response = await graph.gateway.query<{ users: unknown; user: { email: string | null } }>(
      'query { user(id: "5") { ...Personal } } fragment Personal on User { id email }',
      {},
      as('user2'),
    );
    expect(refusals(response)).toEqual(['user.email: FORBIDDEN']);
    expect(response.data).toEqual({ user: { id: '5', email: null } });
  });

  it('keeps its hidden aliases its own', async () => {
    const response = await graph.gateway.query(
      '{ user(id: "1") { _authz_id: id } }',
      {},
      as('user1'),
    );
    expect(response.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
