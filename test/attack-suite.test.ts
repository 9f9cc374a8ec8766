import { execFileSync } from 'node:child_process';
import { createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  authenticationEdge,
  createApiKey,
  createAuthenticator,
  createJwtVerifier,
  generateApiKey,
  MANIFOLD_API_AUDIENCE,
  revokeApiKey,
  watchAccessFile,
  type Authenticate,
  type WatchedAccessFile,
} from '@manifold/platform/auth';
import { silentLogger } from '@manifold/platform/testing';
import { generateKeyPair, importJWK, SignJWT, UnsecuredJWT, type JWK, type JWTPayload } from 'jose';
import { Keyv } from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessScopes as legacyScopes } from '../legacy-rest-adapter/src/config.ts';
import { startAdapter, type Adapter } from '../legacy-rest-adapter/test/support.ts';
import { accessScopes as soapScopes } from '../soap-proxy/src/config.ts';
import {
  startProxy,
  startSupplier,
  type Proxy,
  type Supplier,
} from '../soap-proxy/test/support.ts';
import { httpDoor, httpsDoor, type FrontDoor } from './support/front-doors.ts';
import { startGraphOverHttp, type GraphOverHttp } from './support/graph-over-http.ts';
import { startIdentityProvider, type TestIdentityProvider } from './support/identity-provider.ts';

// Every front door (the gateway, both REST facades) against forged, broken and stolen credentials:
// each must be refused with the right status and code. Tokens here are hand-made on purpose —
// the only place they are; everywhere else tokens come from the reference identity provider.

const REPO_ROOT = join(import.meta.dirname, '..');
const dir = mkdtempSync(join(tmpdir(), 'attack-suite-'));
const accessPath = join(dir, 'access.yaml');
const certificates = join(dir, 'pki');
writeFileSync(
  accessPath,
  `tiers: { free: {}, partner: {} }
defaultTier: free
clients:
  partner:
    tier: partner
    scopes: [users:read, customers:read, supplier:read, loyalty:read]
  orders-batch:
    tier: partner
    scopes: [supplier:read]
    certificates:
      - commonName: orders-batch
`,
);

let idp: TestIdentityProvider;
let access: WatchedAccessFile;
let graph: GraphOverHttp;
let adapter: Adapter;
let supplier: Supplier;
let proxy: Proxy;
let doors: FrontDoor[];
const keys = { good: '', revoked: '', expired: '', narrow: '' };
const tokens = { genuine: '' };
let signingKey: { key: Awaited<ReturnType<typeof importJWK>>; kid: string; publicPem: string };
const tried: Record<string, number> = {};

const authenticator = (): Authenticate =>
  // One verifier per door, as each runs in its own process: each has its own JWKS cache.
  createAuthenticator({
    access,
    jwt: createJwtVerifier({ issuer: idp.issuer, audience: MANIFOLD_API_AUDIENCE }),
  });

beforeAll(async () => {
  execFileSync('bash', [join(REPO_ROOT, 'scripts/make-test-ca.sh'), certificates]);
  idp = await startIdentityProvider();
  keys.good = createApiKey(accessPath, { client: 'partner' }).key;
  const revoked = createApiKey(accessPath, { client: 'partner' });
  revokeApiKey(accessPath, revoked.id);
  keys.revoked = revoked.key;
  keys.expired = createApiKey(accessPath, {
    client: 'partner',
    expiresAt: '2020-01-01T00:00:00Z',
  }).key;
  keys.narrow = createApiKey(accessPath, { client: 'partner', scopes: ['loyalty:read'] }).key;
  access = watchAccessFile(accessPath, { logger: silentLogger() });
  const [jwk] = (
    JSON.parse(readFileSync(join(idp.dataDir, 'jwks.json'), 'utf8')) as { keys: JWK[] }
  ).keys;
  signingKey = {
    key: await importJWK(jwk!, 'RS256'),
    kid: jwk!.kid!,
    publicPem: createPublicKey({ key: jwk!, format: 'jwk' })
      .export({ type: 'spki', format: 'pem' })
      .toString(),
  };
  tokens.genuine = await idp.serviceToken('back-office', 'users:read');

  graph = await startGraphOverHttp({ authenticate: authenticator() });
  adapter = await startAdapter({
    edge: [authenticationEdge({ authenticate: authenticator(), scopesFor: legacyScopes })],
  });
  supplier = await startSupplier();
  const operations = { GetStockLevels: { safe: true } };
  proxy = await startProxy({ endpoint: `${supplier.url}/`, operations }, new Keyv(), {
    edge: [
      authenticationEdge({
        authenticate: authenticator(),
        scopesFor: soapScopes([{ name: 'supplier', operations } as never]),
      }),
    ],
    tls: {
      cert: readFileSync(join(certificates, 'server.pem')),
      key: readFileSync(join(certificates, 'server-key.pem')),
      clientCa: readFileSync(join(certificates, 'ca.pem')),
    },
  });
  doors = [
    httpDoor('gateway', {
      url: graph.gateway.url,
      method: 'POST',
      path: '/graphql',
      body: { query: '{ users(first: 1) { totalCount } }' },
    }),
    httpDoor('legacy-rest-adapter', {
      url: adapter.url,
      method: 'GET',
      path: '/api/v2/customers/7',
    }),
    httpsDoor('soap-proxy', {
      url: proxy.url,
      method: 'POST',
      path: '/api/v1/supplier/GetStockLevels',
      body: { sku: ['SKU-00001'] },
      caPath: join(certificates, 'ca.pem'),
    }),
  ];
}, 180_000);

afterAll(async () => {
  const total = Object.values(tried).reduce((sum, count) => sum + count, 0);
  process.stdout.write(
    `attack suite: ${total} attacks tried, every one refused (${Object.entries(tried)
      .map(([door, count]) => `${door} ${count}`)
      .join(', ')})\n`,
  );
  access.close();
  await proxy.close();
  await supplier.stop();
  await adapter.close();
  await graph.close();
  await idp.close();
});

const now = () => Math.floor(Date.now() / 1_000);

/** A token shaped like the provider's, with `changes` applied, signed with the provider's own key. */
function providerToken(changes: JWTPayload = {}, header: Record<string, unknown> = {}) {
  return new SignJWT({
    client_id: 'partner',
    scope: 'users:read customers:read supplier:read',
    ...changes,
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: signingKey.kid, ...header })
    .setIssuer(typeof changes.iss === 'string' ? changes.iss : idp.issuer)
    .setAudience(changes.aud ?? MANIFOLD_API_AUDIENCE)
    .setSubject('partner')
    .setIssuedAt()
    .setExpirationTime(changes.exp ?? now() + 300)
    .sign(signingKey.key);
}

async function forgedTokens(): Promise<Record<string, string>> {
  const base = {
    client_id: 'partner',
    scope: 'users:read',
    iss: idp.issuer,
    aud: MANIFOLD_API_AUDIENCE,
    exp: now() + 300,
  };
  const [header, payload] = tokens.genuine.split('.');
  const other = await generateKeyPair('RS256');
  const unknownKid = async () =>
    new SignJWT(base)
      .setProtectedHeader({ alg: 'RS256', kid: randomBytes(8).toString('hex') })
      .sign(other.privateKey);
  return {
    'alg none': new UnsecuredJWT(base).encode(),
    'HS256 signed with the RSA public key': await new SignJWT(base)
      .setProtectedHeader({ alg: 'HS256', kid: signingKey.kid })
      .sign(new TextEncoder().encode(signingKey.publicPem)),
    'a genuine token with another signature': `${header}.${payload}.${
      (
        await new SignJWT(base)
          .setProtectedHeader({ alg: 'RS256', kid: signingKey.kid })
          .sign(other.privateKey)
      ).split('.')[2]
    }`,
    // After the controls: each door has verified and remembered the genuine token by then.
    'the genuine signature on another payload': `${header}.${Buffer.from(
      JSON.stringify({ ...base, scope: 'users:read users:write' }),
    ).toString('base64url')}.${tokens.genuine.split('.')[2]}`,
    'expired an hour ago': await providerToken({ exp: now() - 3_600, iat: now() - 7_200 }),
    'nbf an hour ahead': await providerToken({ nbf: now() + 3_600 }),
    'another issuer': await providerToken({ iss: 'https://login.example.com' }),
    'another audience': await providerToken({ aud: 'urn:someone-else:api' }),
    'an unknown kid': await unknownKid(),
    'not a JWT': 'not-a-jwt',
    'two segments': 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0',
    'garbage segments': '!!!.@@@.###',
    'oversized (12 kB)': `${header}.${'A'.repeat(12_000)}.${'B'.repeat(300)}`,
  };
}

describe('attack suite: every front door refuses what it must', () => {
  it('controls: each door lets genuine credentials through (a provider token, an API key, a client certificate)', async () => {
    const gateway = doors[0]!;
    expect(await gateway.call({ authorization: `Bearer ${tokens.genuine}` })).toMatchObject({
      status: 200,
      code: undefined,
    });
    const partnerToken = await idp.serviceToken('partner-demo');
    for (const door of doors.slice(1)) {
      expect((await door.call({ authorization: `Bearer ${partnerToken}` })).status, door.name).toBe(
        200,
      );
      expect((await door.call({ 'x-api-key': keys.good })).status, door.name).toBe(200);
    }
    expect((await gateway.call({ 'x-api-key': keys.good })).code).toBeUndefined();
    const soap = doors[2]!;
    const client = {
      cert: readFileSync(join(certificates, 'client.pem'), 'utf8'),
      key: readFileSync(join(certificates, 'client-key.pem'), 'utf8'),
    };
    expect((await soap.call({}, client)).status).toBe(200);
  });

  it('refuses forged, expired, misaddressed, malformed and oversized tokens: 401, UNAUTHENTICATED, a Bearer challenge', async () => {
    const forged = await forgedTokens();
    for (const door of doors) {
      // The genuine token first: verified and remembered (its scopes may not fit the door), so a
      // forgery ending like it meets the remembered-token path.
      expect((await door.call({ authorization: `Bearer ${tokens.genuine}` })).status).not.toBe(401);
      for (const [attack, token] of Object.entries(forged)) {
        const answer = await door.call({ authorization: `Bearer ${token}` });
        tried[door.name] = (tried[door.name] ?? 0) + 1;
        expect(answer.status, `${door.name}: ${attack}`).toBe(401);
        expect(answer.code, `${door.name}: ${attack}`).toBe('UNAUTHENTICATED');
        expect(answer.challenge, `${door.name}: ${attack}`).toMatch(
          /^Bearer realm="manifold", error="invalid_(token|request)"/,
        );
      }
    }
  });

  it('fetches the JWKS at most once per cool-down while 1,000 tokens with unknown kids arrive at each door', async () => {
    const other = await generateKeyPair('RS256');
    const forged = await Promise.all(
      Array.from({ length: 1_000 }, (_, index) =>
        new SignJWT({
          client_id: 'partner',
          scope: 'users:read',
          iss: idp.issuer,
          aud: MANIFOLD_API_AUDIENCE,
          exp: now() + 300,
        })
          .setProtectedHeader({ alg: 'RS256', kid: `unknown-${index}` })
          .sign(other.privateKey),
      ),
    );
    for (const door of doors) {
      const before = idp.stats.jwksRequests;
      for (let start = 0; start < forged.length; start += 50) {
        const answers = await Promise.all(
          forged
            .slice(start, start + 50)
            .map((token) => door.call({ authorization: `Bearer ${token}` })),
        );
        tried[door.name] = (tried[door.name] ?? 0) + answers.length;
        for (const answer of answers)
          expect(answer, door.name).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      }
      expect(idp.stats.jwksRequests - before, door.name).toBeLessThanOrEqual(1);
    }
  });

  it('refuses unknown, malformed, revoked and expired API keys (401), and a key without the scope (403 / FORBIDDEN)', async () => {
    const refused = {
      unknown: generateApiKey().key,
      malformed: 'mfk_short',
      revoked: keys.revoked,
      expired: keys.expired,
    };
    for (const door of doors) {
      for (const [attack, key] of Object.entries(refused)) {
        for (const headers of [{ 'x-api-key': key }, { authorization: `Bearer ${key}` }]) {
          const answer = await door.call(headers);
          tried[door.name] = (tried[door.name] ?? 0) + 1;
          expect(answer, `${door.name}: ${attack}`).toMatchObject({
            status: 401,
            code: 'UNAUTHENTICATED',
          });
        }
      }
      const narrow = await door.call({ 'x-api-key': keys.narrow });
      tried[door.name] = (tried[door.name] ?? 0) + 1;
      // The gateway answers a field the caller may not see with null and FORBIDDEN at its path.
      expect(narrow, `${door.name}: key without the scope`).toMatchObject({
        status: door.name === 'gateway' ? 200 : 403,
        code: 'FORBIDDEN',
      });
    }
  });

  it('refuses a client certificate from another CA (mutual TLS): 401, UNAUTHENTICATED', async () => {
    const soap = doors[2]!;
    const rogue = {
      cert: readFileSync(join(certificates, 'rogue-client.pem'), 'utf8'),
      key: readFileSync(join(certificates, 'rogue-client-key.pem'), 'utf8'),
    };
    const answer = await soap.call({}, rogue);
    tried[soap.name] = (tried[soap.name] ?? 0) + 1;
    expect(answer).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it("never serves the legacy adapter's cached answer to a caller who may not see it", async () => {
    const path = '/api/v2/customers/9';
    await adapter.get(path, { 'x-api-key': keys.good });
    const cached = await adapter.get(path, { 'x-api-key': keys.good });
    expect(cached.headers.get('x-cache')).toBe('HIT');
    for (const [who, headers, status] of [
      ['no credentials', {}, 401],
      ['a revoked key', { 'x-api-key': keys.revoked }, 401],
      ['a key without customers:read', { 'x-api-key': keys.narrow }, 403],
    ] as const) {
      const answer = await fetch(`${adapter.url}${path}`, { headers });
      tried['legacy-rest-adapter'] = (tried['legacy-rest-adapter'] ?? 0) + 1;
      expect(answer.status, who).toBe(status);
      expect(answer.headers.get('x-cache'), who).toBeNull();
      expect(((await answer.json()) as { email?: string }).email, who).toBeUndefined();
    }
  });

  it('refuses requests without credentials where the route needs them, and says how to authenticate', async () => {
    for (const door of doors.slice(1)) {
      const answer = await door.call({});
      tried[door.name] = (tried[door.name] ?? 0) + 1;
      expect(answer, door.name).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
      expect(answer.challenge, door.name).toMatch(/^Bearer realm="manifold"/);
    }
    // Anonymous is a caller at the gateway: the public graph answers, protected fields do not.
    expect(await doors[0]!.call({})).toMatchObject({ status: 200, code: 'UNAUTHENTICATED' });
  });
});
