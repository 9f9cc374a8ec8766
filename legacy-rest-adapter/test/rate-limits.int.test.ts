import { randomUUID } from 'node:crypto';
import {
  authenticationEdge,
  compileAccessFile,
  createAuthenticator,
  generateApiKey,
  staticAccessPolicy,
} from '@manifold/platform/auth';
import {
  connectRateLimitRedis,
  createRateLimiter,
  createRateLimits,
  rateLimitEdge,
  type RateLimits,
} from '@manifold/platform/rate-limit';
import { requireRedis, silentLogger } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accessScopes } from '../src/config.ts';
import { startAdapter, type Adapter } from './support.ts';

const keys = { acme: generateApiKey(), globex: generateApiKey() };
const partner = (key: { id: string; hash: string }) => ({
  tier: 'partner',
  scopes: ['customers:read', 'tickets:write'],
  keys: [{ id: key.id, hash: key.hash }],
  certificates: [],
});
const access = staticAccessPolicy(
  compileAccessFile({
    tiers: {
      partner: {
        rateLimits: [{ name: 'partner', requests: 4, windowSeconds: 60 }],
        routes: { 'GET /api/v2/customers/9': [{ name: 'vip', requests: 1, windowSeconds: 60 }] },
      },
    },
    defaultTier: 'partner',
    clients: { acme: partner(keys.acme), globex: partner(keys.globex) },
  }),
);
const authenticate = createAuthenticator({ access });

/** The edge a replica runs: authentication, then its own limiter on its own Redis connection. */
async function replicaEdge(redisUrl: string, namespace: string) {
  const redis = connectRateLimitRedis(redisUrl, silentLogger());
  await vi.waitFor(
    () => {
      expect(redis.isReady).toBe(true);
    },
    { timeout: 5_000 },
  );
  const limits: RateLimits = createRateLimits({
    limiter: createRateLimiter({ namespace, logger: silentLogger(), redis }),
    access,
    logger: silentLogger(),
  });
  return {
    limits,
    edge: [authenticationEdge({ authenticate, scopesFor: accessScopes }), rateLimitEdge(limits)],
  };
}

describe('per-client rate limits on two legacy-rest-adapter replicas sharing Redis', () => {
  let a: Adapter;
  let b: Adapter;
  const limits: RateLimits[] = [];
  beforeAll(async () => {
    const redisUrl = await requireRedis();
    const namespace = `legacy-rl-test-${randomUUID()}`;
    const first = await replicaEdge(redisUrl, namespace);
    const second = await replicaEdge(redisUrl, namespace);
    limits.push(first.limits, second.limits);
    a = await startAdapter({ edge: first.edge });
    b = await startAdapter({ edge: second.edge, monolith: a.monolith });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    for (const limit of limits) await limit.close();
  });

  it('lets exactly N requests through across both replicas (cached answers too), then answers 429 problem+json with Retry-After and RateLimit headers', async () => {
    for (const [index, replica] of [a, b, a, b].entries()) {
      const answer = await replica.get('/api/v2/customers/7', { 'x-api-key': keys.acme.key });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('ratelimit-policy')).toBe('"partner";q=4;w=60');
      expect(answer.headers.get('ratelimit')).toMatch(
        new RegExp(`^"partner";r=${3 - index};t=\\d+$`),
      );
    }
    const refused = await a.get('/api/v2/customers/7', { 'x-api-key': keys.acme.key });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit')).toMatch(/^"partner";r=0;t=\d+$/);
    expect(refused.body).toMatchObject({
      status: 429,
      code: 'RATE_LIMITED',
      retryAfterSeconds: retryAfter,
      violatedPolicies: ['partner'],
    });
  });

  it("leaves another client untouched, and applies a route's own limit on top of the tier's", async () => {
    const first = await b.get('/api/v2/customers/9', { 'x-api-key': keys.globex.key });
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"partner";q=4;w=60, "vip";q=1;w=60');
    const refused = await a.get('/api/v2/customers/9', { 'x-api-key': keys.globex.key });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ code: 'RATE_LIMITED', violatedPolicies: ['vip'] });
    // Other routes: the tier's limit only (two of its four used so far).
    const other = await b.get('/api/v2/customers/7', { 'x-api-key': keys.globex.key });
    expect(other.status).toBe(200);
    expect(other.headers.get('ratelimit')).toMatch(/^"partner";r=1;t=\d+$/);
  });

  it('never limits health, the OpenAPI document or the docs', async () => {
    for (let i = 0; i < 6; i++) expect((await fetch(`${a.url}/healthz`)).status).toBe(200);
    const openApi = await fetch(`${a.url}/openapi.json`);
    expect(openApi.headers.get('ratelimit')).toBeNull();
  });
});
