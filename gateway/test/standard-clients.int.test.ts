import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { Client, fetchExchange } from '@urql/core';
import express from 'express';
import { auditServer } from 'graphql-http';
import { GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNTS_SDL,
  startGateway,
  startTinySubgraph,
  type TestGateway,
  type TinySubgraph,
} from './support.ts';

const accounts = {
  Query: { me: () => ({ id: '1', name: 'Ada' }) },
  Account: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: 'Ada' }) },
};
const APP_ORIGIN = 'http://shop.example.test';

// Standard clients, each with its default settings: what a frontend team installs and uses unmodified.
describe('standard GraphQL clients against the gateway, with their defaults', () => {
  let subgraph: TinySubgraph;
  let gateway: TestGateway;
  const methods: string[] = [];
  let url: string;

  beforeAll(async () => {
    subgraph = await startTinySubgraph('accounts', ACCOUNTS_SDL, accounts);
    gateway = await startGateway(
      true,
      [subgraph],
      { accounts: ACCOUNTS_SDL },
      { corsAllowedOrigins: [APP_ORIGIN] },
      (app) =>
        express()
          .use((req, _res, next) => {
            if (req.path === '/graphql') methods.push(req.method);
            next();
          })
          .use(app),
    );
    url = `${gateway.server.url}/graphql`;
  });
  afterAll(async () => {
    await gateway.close();
    await subgraph.stop();
  });

  it('urql sends its queries as GET, and they run', async () => {
    methods.length = 0;
    const client = new Client({ url, exchanges: [fetchExchange] });
    const result = await client.query('query Me { me { name } }', {}).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data).toEqual({ me: { name: 'Ada' } });
    expect(methods).toEqual(['GET']);
  });

  it.each([
    ['its defaults', 'POST', false],
    ['useGETForQueries', 'GET', true],
  ] as const)('Apollo Client with %s runs a query over %s', async (_, method, useGETForQueries) => {
    methods.length = 0;
    const client = new ApolloClient({
      link: new HttpLink({ uri: url, useGETForQueries }),
      cache: new InMemoryCache(),
    });
    const result = await client.query({ query: gql('query Me { me { id name } }') });
    expect(result.data).toEqual({ me: { __typename: 'Account', id: '1', name: 'Ada' } });
    expect(methods).toEqual([method]);
  });

  it('graphql-request runs a query', async () => {
    const client = new GraphQLClient(url);
    expect(await client.request('{ me { name } }')).toEqual({ me: { name: 'Ada' } });
  });

  it('answers a browser preflight from an allowed origin, and lets the page read the answer', async () => {
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: {
        origin: APP_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe(
      'content-type, authorization',
    );
    const answer = await fetch(url, {
      method: 'POST',
      headers: { origin: APP_ORIGIN, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { name } }' }),
    });
    expect(answer.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(answer.headers.get('access-control-expose-headers')).toContain('x-request-id');
  });

  it('gives an origin that is not allowed no CORS headers, so the browser keeps the answer from it', async () => {
    const preflight = await fetch(url, {
      method: 'OPTIONS',
      headers: { origin: 'http://evil.example.test', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});

// The GraphQL-over-HTTP specification, audited by graphql-http (the reference implementation's own
// audit suite): every MUST and every SHOULD passes.
describe('GraphQL over HTTP conformance (graphql-http audit)', () => {
  let subgraph: TinySubgraph;
  const gateways: TestGateway[] = [];

  beforeAll(async () => {
    subgraph = await startTinySubgraph('accounts', ACCOUNTS_SDL, accounts);
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await subgraph.stop();
  });

  const audit = async (production: boolean) => {
    const gateway = await startGateway(production, [subgraph], { accounts: ACCOUNTS_SDL });
    gateways.push(gateway);
    const results = await auditServer({ url: `${gateway.server.url}/graphql` });
    const failed = results
      .filter((result) => result.status !== 'ok' && result.status !== 'notice')
      .map((result) => `${result.name}: ${result.status === 'ok' ? '' : result.reason}`);
    return { tried: results.length, failed };
  };

  it('passes every MUST and SHOULD outside production', async () => {
    const { tried, failed } = await audit(false);
    expect(tried).toBeGreaterThan(50);
    expect(failed).toEqual([]);
  });

  it('in production, fails only the two audits that need introspection, which production refuses', async () => {
    const { failed } = await audit(true);
    // Both send `{ __type(name: …) }`: an introspection query. Production refuses introspection
    // on purpose (it maps the schema for anyone who asks); everything else passes.
    expect(failed.map((failure) => failure.split(':')[0]).sort()).toEqual([
      'MUST allow map {variables} parameter when accepting application/json',
      'SHOULD allow map {variables} parameter when accepting application/graphql-response+json',
    ]);
  });
});
