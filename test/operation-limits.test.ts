import type { Authenticate } from '@manifold/platform/auth';
import { ANONYMOUS } from '@manifold/platform/contracts';
import { testCaller } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPERATION_LIMITS } from '../gateway/src/limits/limits.ts';
import { documentIdOf } from '../gateway/src/trusted-documents/manifest.ts';
import { aliasQuery, COSTLY_QUERY, deepQuery } from './support/attack-queries.ts';
import { startGraphOverHttp, type GraphOverHttp } from './support/graph-over-http.ts';
import { STOREFRONT_QUERY } from './support/storefront.ts';

// Issue 11's attack queries against the real gateway (production defaults for the limits) over
// our four subgraphs on their own sockets: each is refused with its limit, what was measured and
// the maximum, and no subgraph receives a single request (counted at the subgraphs).

/** A back-office client allowed to read every user and order: without limits, these queries would all run. */
const READER = { 'x-test-client': 'back-office' };
const authenticate: Authenticate = (req) =>
  req.headers['x-test-client'] === undefined
    ? ANONYMOUS
    : testCaller({ clientId: 'back-office', scopes: ['users:read', 'orders:read'] });

let graph: GraphOverHttp;
beforeAll(async () => {
  graph = await startGraphOverHttp({
    authenticate,
    gateway: { operationLimits: { mode: 'enforce', limits: DEFAULT_OPERATION_LIMITS } },
  });
});
afterAll(async () => {
  await graph.close();
});

const totalCalls = () => Object.values(graph.subgraphCalls).reduce((sum, calls) => sum + calls, 0);

/** POSTs as a standard client would; returns the status, the body and the subgraph calls it caused. */
async function send(
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: GraphQLBody; subgraphCalls: number }> {
  const before = totalCalls();
  const response = await fetch(`${graph.gateway.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json;q=0.9',
      ...READER,
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as GraphQLBody,
    subgraphCalls: totalCalls() - before,
  };
}

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

const refusal = (body: GraphQLBody) => body.errors?.[0]?.extensions;

describe('operation limits on the real gateway', () => {
  it('still answers the storefront query, which reaches the subgraphs (so the counts below are real)', async () => {
    const answer = await send({ query: STOREFRONT_QUERY, variables: { userId: '1' } });
    expect(answer.body.errors).toBeUndefined();
    expect(answer.status).toBe(200);
    expect(answer.subgraphCalls).toBeGreaterThan(0);
  });

  it('refuses the 200-deep query with its depth, before any subgraph is called', async () => {
    const answer = await send({ query: deepQuery(200) });
    expect(answer.status).toBe(400);
    expect(answer.body.data).toBeUndefined();
    expect(refusal(answer.body)).toEqual({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'depth',
      measured: 200,
      maximum: DEFAULT_OPERATION_LIMITS.maxDepth,
    });
    expect(answer.subgraphCalls).toBe(0);
  });

  it('refuses the 5,000-alias query at the token limit, before any subgraph is called', async () => {
    const answer = await send({ query: aliasQuery(5_000) });
    expect(answer.status).toBe(400);
    expect(refusal(answer.body)).toEqual({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'tokens',
      // The parser stops one token past the limit (the document has 75,002).
      measured: DEFAULT_OPERATION_LIMITS.maxTokens + 1,
      maximum: DEFAULT_OPERATION_LIMITS.maxTokens,
    });
    expect(answer.subgraphCalls).toBe(0);
  });

  it('refuses aliases past their own limit when the document is small', async () => {
    const answer = await send({ query: aliasQuery(DEFAULT_OPERATION_LIMITS.maxAliases + 1) });
    expect(refusal(answer.body)).toEqual({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'aliases',
      measured: DEFAULT_OPERATION_LIMITS.maxAliases + 1,
      maximum: DEFAULT_OPERATION_LIMITS.maxAliases,
    });
    expect(answer.subgraphCalls).toBe(0);
  });

  it("refuses users(first: 100) { orders(first: 100) } on its static cost from the subgraphs' @listSize", async () => {
    const answer = await send({ query: COSTLY_QUERY });
    expect(answer.status).toBe(400);
    expect(refusal(answer.body)).toEqual({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'cost',
      // users 1 + 100 edges × (edge 1 + user 1 + orders 1 + 100 edges × (edge 1 + order 1 + total 1))
      measured: 1 + 100 * (3 + 100 * 3),
      maximum: DEFAULT_OPERATION_LIMITS.maxCost,
    });
    expect(answer.subgraphCalls).toBe(0);
  });

  it('prices slicing arguments given as variables: the same document runs for 2, is refused for 100', async () => {
    const query =
      'query Page($n: Int!) { users(first: $n) { edges { node { orders(first: $n) { edges { node { number } } } } } } }';
    const small = await send({ query, variables: { n: 2 } });
    expect(small.body.errors).toBeUndefined();
    const large = await send({ query, variables: { n: 100 } });
    expect(refusal(large.body)).toMatchObject({ limit: 'cost' });
    expect(large.subgraphCalls).toBe(0);
  });

  it('checks an operation sent by APQ hash alone, whose text the gateway already had', async () => {
    const query =
      'query Pages($n: Int!) { users(first: $n) { edges { node { orders(first: $n) { edges { node { id } } } } } } }';
    const persistedQuery = { version: 1, sha256Hash: documentIdOf(query) };
    const registered = await send({ query, variables: { n: 1 }, extensions: { persistedQuery } });
    expect(registered.body.errors).toBeUndefined();
    const byHash = await send({ variables: { n: 100 }, extensions: { persistedQuery } });
    expect(refusal(byHash.body)).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'cost' });
    expect(byHash.subgraphCalls).toBe(0);
  });

  it('refuses a GET query over the limits too', async () => {
    const before = totalCalls();
    const response = await fetch(
      `${graph.gateway.url}/graphql?${new URLSearchParams({ query: deepQuery(40) }).toString()}`,
      { headers: { accept: 'application/graphql-response+json', ...READER } },
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as GraphQLBody;
    expect(refusal(body)).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth' });
    expect(totalCalls() - before).toBe(0);
  });

  it('answers application/json clients 200, as the GraphQL over HTTP specification asks', async () => {
    const answer = await send({ query: deepQuery(200) }, { accept: 'application/json' });
    expect(answer.status).toBe(200);
    expect(refusal(answer.body)).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED' });
  });
});
