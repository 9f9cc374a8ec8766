import type { Server } from 'node:http';
import { Writable } from 'node:stream';
import {
  createClientCredentials,
  createJwtVerifier,
  MANIFOLD_API_AUDIENCE,
  Secret,
  type ClientCredentials,
} from '@manifold/platform/auth';
import { listen } from '@manifold/platform/http';
import { createLogger } from '@manifold/platform/logging';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startIdentityProvider, type TestIdentityProvider } from './support/identity-provider.ts';

// Calling an upstream with OAuth 2.0 client credentials: tokens from the reference identity
// provider, an upstream that really verifies them, and every log line captured.
const TOKEN_TTL_SECONDS = 60;
const REFRESH_BEFORE_MS = 20_000; // renewal starts 40 s into a token's life

let idp: TestIdentityProvider;
let upstream: { server: Server; url: string };
/** Tokens the upstream saw, in order, and the ones it now refuses (as if revoked). */
const seen: string[] = [];
const revoked = new Set<string>();
let refuseEveryToken = false;
const logLines: string[] = [];
let credentials: ClientCredentials;
let secret: string;

beforeAll(async () => {
  idp = await startIdentityProvider({ accessTokenTtlSeconds: TOKEN_TTL_SECONDS });
  secret = idp.clientSecret('products-subgraph');
  const verifier = createJwtVerifier({ issuer: idp.issuer, audience: MANIFOLD_API_AUDIENCE });
  upstream = await listen(
    (req, res) => {
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
      seen.push(token);
      if (refuseEveryToken || revoked.has(token)) {
        res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
        return;
      }
      verifier.verify(token).then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
        () => res.writeHead(401).end(),
      );
    },
    { port: 0, host: '127.0.0.1' },
  );
  const logger = createLogger({
    service: 'products',
    level: 'trace',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  });
  credentials = createClientCredentials({
    tokenUrl: `${idp.issuer}/token`,
    clientId: 'products-subgraph',
    clientSecret: new Secret(() => secret, 'test'),
    scope: 'supplier:read',
    refreshBeforeExpiryMs: REFRESH_BEFORE_MS,
    logger,
  });
  // A secret handed to a logger under a name no redaction path knows still prints as [redacted].
  logger.info({ credential: new Secret(() => secret, 'test') }, 'a secret passed to a logger');
});
afterEach(() => {
  vi.useRealTimers();
});
afterAll(async () => {
  upstream.server.closeAllConnections();
  await new Promise((resolve) => upstream.server.close(resolve));
  await idp.close();
});

const callMany = (count: number) =>
  Promise.all(Array.from({ length: count }, () => credentials.fetch(`${upstream.url}/stock`)));

describe('upstream OAuth 2.0 client credentials', () => {
  it('gets one token for 100 concurrent calls', async () => {
    const before = idp.stats.tokenRequests;
    const answers = await callMany(100);
    expect(answers.map((answer) => answer.status)).toEqual(Array(100).fill(200));
    expect(idp.stats.tokenRequests - before).toBe(1);
    expect(new Set(seen).size).toBe(1);
  });

  it('renews once near expiry, while the calls go on with the token still good', async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    const first = seen.at(-1);
    const before = idp.stats.tokenRequests;
    vi.setSystemTime(Date.now() + (TOKEN_TTL_SECONDS * 1_000 - REFRESH_BEFORE_MS) + 1_000);
    const answers = await callMany(100);
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    await vi.waitFor(() => {
      expect(idp.stats.tokenRequests - before).toBe(1);
    });
    await callMany(10);
    expect(idp.stats.tokenRequests - before).toBe(1);
    expect(seen.at(-1)).not.toBe(first);
  });

  it('answers a 401 with exactly one renewal and one retry, however many calls got it', async () => {
    const current = seen.at(-1)!;
    revoked.add(current);
    const before = { tokens: idp.stats.tokenRequests, calls: seen.length };
    const answers = await callMany(20);
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(idp.stats.tokenRequests - before.tokens).toBe(1);
    const calls = seen.slice(before.calls);
    expect(calls.filter((token) => token === current)).toHaveLength(20);
    expect(calls.filter((token) => token !== current)).toHaveLength(20);
  });

  it('gives up after that one retry when the upstream still refuses', async () => {
    // The renewed token is refused too: the caller sees the 401, after exactly two attempts.
    refuseEveryToken = true;
    const before = seen.length;
    const answer = await credentials.fetch(`${upstream.url}/stock`);
    refuseEveryToken = false;
    expect(answer.status).toBe(401);
    expect(seen.length - before).toBe(2);
  });

  it('never writes the client secret or a token to a log line', () => {
    expect(logLines.length).toBeGreaterThan(0);
    const everything = logLines.join('\n');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(Buffer.from(`products-subgraph:${secret}`).toString('base64'));
    for (const token of new Set(seen)) expect(everything).not.toContain(token);
    expect(everything).toContain('[redacted]');
  });
});
