import { AppError } from '@manifold/platform/errors';
import type { TestGraphQLServer } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACCOUNTS_SDL,
  REVIEWS_SDL,
  startGateway,
  startTinySubgraph,
  type TinySubgraph,
} from './support.ts';

const accountsResolvers = {
  Query: {
    me: () => ({ id: '1', name: 'Ada' }),
    fail: () => {
      throw new AppError('NOT_FOUND', 'nothing here');
    },
    boom: () => {
      throw new Error('database password leaked');
    },
  },
  Account: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: 'Ada' }) },
};
const reviewsResolvers = {
  Account: { __resolveReference: (ref: { id: string }) => ref, reviews: () => [{ body: 'Great' }] },
};

describe('gateway over two live subgraphs', () => {
  let accounts: TinySubgraph;
  let reviews: TinySubgraph;
  let gateway: { server: TestGraphQLServer; close: () => Promise<void> };
  const sdls = { accounts: ACCOUNTS_SDL, reviews: REVIEWS_SDL };

  beforeAll(async () => {
    accounts = await startTinySubgraph('accounts', ACCOUNTS_SDL, accountsResolvers);
    reviews = await startTinySubgraph('reviews', REVIEWS_SDL, reviewsResolvers);
    gateway = await startGateway(true, [accounts, reviews], sdls);
  });
  afterAll(async () => {
    await gateway.close();
    await accounts.stop();
    await reviews.stop();
  });

  it('plans a query across both subgraphs, forwarding the request id and the identity it signed, never a client-sent one', async () => {
    const response = await gateway.server.query(
      '{ me { name reviews { body } } }',
      {},
      {
        'x-request-id': 'req-42',
        'x-manifold-identity': 'forged',
        'x-manifold-user-id': '666',
        'accept-language': 'fr',
      },
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ me: { name: 'Ada', reviews: [{ body: 'Great' }] } });
    const seen = [...accounts.received, ...reviews.received].slice(-2);
    expect(seen).toHaveLength(2);
    for (const headers of seen) {
      expect(headers['x-request-id']).toBe('req-42');
      expect(headers['x-manifold-identity']).not.toBe('forged');
      expect(headers['x-manifold-user-id']).toBeUndefined();
      // Not on the (default, empty) propagation allow-list.
      expect(headers['accept-language']).not.toBe('fr');
    }
  });

  it('sends on the client headers on the propagation allow-list, and only those', async () => {
    const propagating = await startGateway(true, [accounts, reviews], sdls, {
      propagateHeaders: ['accept-language'],
    });
    try {
      await propagating.server.query(
        '{ me { name } }',
        {},
        { 'accept-language': 'fr', 'x-other': 'no' },
      );
      const headers = accounts.received.at(-1)!;
      expect(headers['accept-language']).toBe('fr');
      expect(headers['x-other']).toBeUndefined();
    } finally {
      await propagating.close();
    }
  });

  it("keeps a subgraph's own error code and adds its name", async () => {
    const { errors } = await gateway.server.query('{ fail }');
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', serviceName: 'accounts' });
  });

  it('masks an unexpected subgraph error in production', async () => {
    const { errors } = await gateway.server.query('{ boom }');
    expect(JSON.stringify(errors)).not.toContain('password');
    expect(errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('answers parse and validation errors with 400 and Apollo codes (application/graphql-response+json)', async () => {
    const parseError = await gateway.server.query('{ me { ');
    expect(parseError.status).toBe(400);
    expect(parseError.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const invalid = await gateway.server.query('{ me { shoeSize } }');
    expect(invalid.status).toBe(400);
    expect(invalid.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers the same request errors with 200 to application/json clients, as GraphQL over HTTP says', async () => {
    for (const accept of ['application/json', '']) {
      const parseError = await gateway.server.query('{ me { ', {}, { accept });
      expect(parseError.status).toBe(200);
      expect(parseError.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
      const invalid = await gateway.server.query('{ me { shoeSize } }', {}, { accept });
      expect(invalid.status).toBe(200);
      expect(invalid.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
  });

  it('answers an operationName the document lacks as the client mistake it is, never a 500', async () => {
    const missing = await gateway.server.query('query A { me { name } }', {}, {});
    expect(missing.errors).toBeUndefined();
    const response = await fetch(`${gateway.server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: 'query A { me { name } }', operationName: 'B' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]?.extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    const two = await gateway.server.query('query A { me { name } } query B { me { name } }');
    expect(two.status).toBe(400);
    expect(two.errors?.[0]?.extensions?.code).toBe('OPERATION_RESOLUTION_FAILURE');
    // application/json clients: a request error is a 200, as GraphQL over HTTP says.
    const unknown = await fetch(`${gateway.server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: 'query A { me { name } }', operationName: 'B' }),
    });
    expect(unknown.status).toBe(200);
    expect(
      ((await unknown.json()) as { errors: { extensions: { code: string } }[] }).errors[0]
        ?.extensions.code,
    ).toBe('OPERATION_RESOLUTION_FAILURE');
  });

  it('refuses introspection and serves no landing page in production', async () => {
    const introspection = await gateway.server.query('{ __schema { types { name } } }');
    expect(introspection.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const page = await fetch(`${gateway.server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.headers.get('content-type') ?? '').not.toContain('text/html');
  });

  it('gives no schema hints ("Did you mean …?") in production errors', async () => {
    const typo = await gateway.server.query('{ me { nam } }');
    expect(typo.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(typo.errors?.[0]?.message).not.toMatch(/did you mean/i);
  });

  it('runs GET queries as standard clients send them, and refuses mutations over GET', async () => {
    const get = await fetch(
      `${gateway.server.url}/graphql?query=${encodeURIComponent('{ me { name } }')}`,
      { headers: { accept: 'application/graphql-response+json, application/json' } },
    );
    expect(get.status).toBe(200);
    expect(await get.json()).toEqual({ data: { me: { name: 'Ada' } } });
    const mutation = await fetch(
      `${gateway.server.url}/graphql?query=${encodeURIComponent('mutation { __typename }')}`,
    );
    expect(mutation.status).toBe(405);
  });

  it('refuses every POST a cross-site form could send (CSRF): only application/json runs', async () => {
    for (const contentType of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
    ]) {
      const forged = await fetch(`${gateway.server.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: JSON.stringify({ query: '{ me { name } }' }),
      });
      expect(forged.status, contentType).toBe(415);
      expect(((await forged.json()) as { code: string }).code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('answers with partial data and UPSTREAM_UNAVAILABLE naming a subgraph that went down, and keeps serving', async () => {
    expect((await fetch(`${gateway.server.url}/readyz`)).status).toBe(200);
    await reviews.stop();

    const partial = await gateway.server.query<{ me: { name: string; reviews: unknown } }>(
      '{ me { name reviews { body } } }',
    );
    expect(partial.data?.me).toEqual({ name: 'Ada', reviews: null });
    expect(partial.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      serviceName: 'reviews',
    });

    const next = await gateway.server.query('{ me { name } }');
    expect(next.errors).toBeUndefined();

    const ready = await fetch(`${gateway.server.url}/readyz`);
    expect(ready.status).toBe(503);
    const body = (await ready.json()) as { subgraphs: Record<string, { status: string }> };
    expect(body.subgraphs['reviews']?.status).toBe('down');
    expect(body.subgraphs['accounts']?.status).toBe('up');
    expect((await fetch(`${gateway.server.url}/healthz`)).status).toBe(200);
  });
});

describe('gateway in development', () => {
  it('allows introspection and serves the landing page', async () => {
    const accounts = await startTinySubgraph('accounts', ACCOUNTS_SDL, accountsResolvers);
    const gateway = await startGateway(false, [accounts], { accounts: ACCOUNTS_SDL });
    try {
      const introspection = await gateway.server.query<{
        __schema: { queryType: { name: string } };
      }>('{ __schema { queryType { name } } }');
      expect(introspection.data?.__schema.queryType.name).toBe('Query');
      const page = await fetch(`${gateway.server.url}/graphql`, {
        headers: { accept: 'text/html' },
      });
      expect(page.headers.get('content-type')).toContain('text/html');
    } finally {
      await gateway.close();
      await accounts.stop();
    }
  });
});
