import { encodeCursor } from '@manifold/platform/data';
import type { Server } from 'node:http';
import { parse, print } from 'graphql';
import { listen } from '@manifold/platform/http';
import { silentLogger, testCaller, testGatewayIdentity } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import { openUsersDatabase } from '../src/data/database.ts';
import { sdl } from '../src/index.ts';

const USER_COUNT = 250;
const db = openUsersDatabase({ path: ':memory:', userCount: USER_COUNT });
let server: Server;
let url: string;
const trust = testGatewayIdentity();

interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function query(
  document: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResponse> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await trust.headers()), ...headers },
    body: JSON.stringify({ query: document, variables }),
  });
  return (await response.json()) as GraphQLResponse;
}

beforeAll(async () => {
  const { app } = await createApp({
    db,
    logger: silentLogger('users'),
    production: true,
    identity: trust.verifier,
  });
  ({ server, url } = await listen(app, { port: 0, host: '127.0.0.1' }));
});
afterAll(() => {
  server.close();
  db.close();
});

describe('users subgraph', () => {
  it('resolves User entities by key, null for unknown ids', async () => {
    const { data } = await query(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id name email tier createdAt address { country } } } }`,
      {
        r: [
          { __typename: 'User', id: '3' },
          { __typename: 'User', id: '999999' },
          { __typename: 'User', id: '1' },
        ],
      },
    );
    const row = db.get<{ name: string; email: string }>(
      'SELECT name, email FROM users WHERE id = 3',
    );
    const entities = data?.['_entities'] as ({
      id: string;
      name: string;
      email: string;
      createdAt: string;
    } | null)[];
    expect(entities).toHaveLength(3);
    expect(entities[0]).toMatchObject({ id: '3', name: row?.name, email: row?.email });
    expect(entities[0]?.createdAt).toMatch(/Z$/);
    expect(entities[1]).toBeNull();
    expect(entities[2]?.id).toBe('1');
  });

  it('pages through every user exactly once with cursors', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { data, errors } = await query(
        `query($after: String) { users(first: 100, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      expect(errors).toBeUndefined();
      const page = data?.['users'] as {
        totalCount: number;
        edges: { node: { id: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
      expect(page.totalCount).toBe(USER_COUNT);
      seen.push(...page.edges.map((edge) => edge.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(Array.from({ length: USER_COUNT }, (_, i) => String(i + 1)));
  });

  it('rejects first > 100 and a forged cursor with BAD_USER_INPUT', async () => {
    const tooMany = await query('{ users(first: 101) { totalCount } }');
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    for (const after of [
      'garbage',
      encodeCursor('Query.users', ['x']),
      encodeCursor('Query.users', []),
    ]) {
      const forged = await query(
        'query ($after: String) { users(first: 1, after: $after) { totalCount } }',
        { after },
      );
      expect(forged.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('answers me from the signed identity and UNAUTHENTICATED for a caller with no user', async () => {
    const anonymous = await query('{ me { id } }');
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const client = await query('{ me { id } }', {}, await trust.headers(testCaller()));
    expect(client.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const known = await query(
      '{ me { id } }',
      {},
      await trust.headers(testCaller({ subject: '42' })),
    );
    expect(known.data).toEqual({ me: { id: '42' } });
  });

  it('batches entity lookups into one statement', async () => {
    const representations = Array.from({ length: 100 }, (_, i) => ({
      __typename: 'User',
      id: String(i + 1),
    }));
    const before = db.statementCount;
    const { data } = await query(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id } } }`,
      { r: representations },
    );
    expect((data?.['_entities'] as unknown[]).length).toBe(100);
    expect(db.statementCount - before).toBe(1);
  });

  it('publishes its own SDL through _service', async () => {
    const { data } = await query('{ _service { sdl } }');
    // The served SDL is re-printed and followed by federation's own definitions: compare ours, printed alike.
    const served = parse((data?.['_service'] as { sdl: string }).sdl);
    const ours = parse(sdl).definitions.map((definition) => print(definition));
    const servedOurs = served.definitions
      .map((definition) => print(definition))
      .slice(0, ours.length);
    expect(servedOurs).toEqual(ours);
  });

  it('answers /healthz and echoes a valid x-request-id', async () => {
    const response = await fetch(`${url}/healthz`, { headers: { 'x-request-id': 'trace-me-1' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('trace-me-1');
  });

  it('answers malformed JSON with problem+json, not a crash', async () => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await trust.headers()) },
      body: '{"query":',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(((await response.json()) as { code: string }).code).toBe('BAD_USER_INPUT');
  });
});
