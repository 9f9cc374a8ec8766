import { ANONYMOUS, Header } from '@manifold/platform/contracts';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphOverHttp, type GraphOverHttp } from './support/graph-over-http.ts';

// A client that reaches a subgraph directly, around the gateway, must not become anyone.
let graph: GraphOverHttp;
beforeAll(async () => {
  graph = await startGraphOverHttp({ authenticate: () => ANONYMOUS });
});
afterAll(async () => {
  await graph.close();
});

const claims = {
  cid: 'attacker',
  scope: 'users:read orders:read orders:admin',
  tier: 'internal',
  amr: 'jwt',
};
const key = (secret: string) => new TextEncoder().encode(secret);

async function forgeries(secret: string): Promise<Record<string, Record<string, string>>> {
  const signed = (signingKey: Uint8Array, expiresAt: string | number = '1m') =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('1')
      .setIssuer('manifold-gateway')
      .setAudience('manifold-subgraphs')
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(signingKey);
  return {
    'no identity at all': {},
    'the old plain user id header': { 'x-manifold-user-id': '1' },
    'a made-up identity header': { [Header.identity]: 'user=1; scopes=users:read' },
    'a token signed with another secret': {
      [Header.identity]: await signed(key('another-secret-another-secret-0123456789')),
    },
    'an unsigned token (alg none)': {
      [Header.identity]: new UnsecuredJWT(claims)
        .setSubject('1')
        .setIssuer('manifold-gateway')
        .setAudience('manifold-subgraphs')
        .setExpirationTime('1m')
        .encode(),
    },
    "an expired token with the gateway's own secret": {
      [Header.identity]: await signed(key(secret), Math.floor(Date.now() / 1_000) - 3_600),
    },
  };
}

const QUERIES = {
  users: '{ users(first: 100) { edges { node { email } } } }',
  products: '{ products(first: 1) { totalCount } }',
  orders: '{ order(id: "1") { number } }',
  content: '{ articles(first: 1) { totalCount } }',
} as const;

describe('subgraphs answer the gateway only', () => {
  for (const name of Object.keys(QUERIES) as (keyof typeof QUERIES)[]) {
    it(`${name}: refuses every forged or missing identity with 401 UNAUTHENTICATED, and answers the gateway's`, async () => {
      const post = (headers: Record<string, string>) =>
        fetch(graph.subgraphUrls[name], {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ query: QUERIES[name] }),
        });
      const attempts = await forgeries(graph.trust.secret);
      for (const [attempt, headers] of Object.entries(attempts)) {
        const response = await post(headers);
        expect(response.status, attempt).toBe(401);
        const body = (await response.json()) as { code?: string; data?: unknown };
        expect(body.code, attempt).toBe('UNAUTHENTICATED');
        expect(body.data, attempt).toBeUndefined();
      }
      const genuine = await post(await graph.trust.headers());
      expect(genuine.status).toBe(200);
    });
  }
});
