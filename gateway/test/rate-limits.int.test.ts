import { randomUUID } from 'node:crypto';
import {
  compileAccessFile,
  createAuthenticator,
  generateApiKey,
  staticAccessPolicy,
  type AccessPolicySource,
} from '@manifold/platform/auth';
import { AppError } from '@manifold/platform/errors';
import {
  connectRateLimitRedis,
  createRateLimiter,
  createRateLimits,
  type RateLimits,
  type WhenStoreDown,
} from '@manifold/platform/rate-limit';
import {
  requireRedis,
  silentLogger,
  startRedisServer,
  type RedisServer,
} from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ACCOUNTS_SDL,
  startGateway,
  startTinySubgraph,
  type TestGateway,
  type TinySubgraph,
} from './support.ts';

const resolvers = {
  Query: {
    me: () => ({ id: '1', name: 'Ada' }),
    fail: () => {
      throw new AppError('NOT_FOUND', 'nothing here');
    },
  },
  Account: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: 'Ada' }) },
};

const keys = { acme: generateApiKey(), globex: generateApiKey(), initech: generateApiKey() };
const client = (key: { id: string; hash: string }) => ({
  tier: 'metered',
  scopes: [],
  keys: [{ id: key.id, hash: key.hash }],
  certificates: [],
});
const access: AccessPolicySource = staticAccessPolicy(
  compileAccessFile({
    tiers: {
      anonymous: { rateLimits: [{ name: 'anonymous', requests: 2, windowSeconds: 60 }] },
      metered: {
        rateLimits: [{ name: 'metered', requests: 3, windowSeconds: 60 }],
        operations: { 'Query.fail': [{ name: 'metered-fail', requests: 1, windowSeconds: 60 }] },
      },
    },
    defaultTier: 'metered',
    clients: {
      acme: client(keys.acme),
      globex: client(keys.globex),
      initech: client(keys.initech),
    },
  }),
);

const post = (
  url: string,
  query: string,
  headers: Record<string, string> = {},
  accept = 'application/graphql-response+json',
) =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...headers },
    body: JSON.stringify({ query }),
  });
const as = (key: { key: string }) => ({ 'x-api-key': key.key });
type Body = { errors?: { extensions?: Record<string, unknown> }[] };

/** A gateway replica with its own limiter and Redis connection, like a separate process. */
async function startReplica(
  accounts: TinySubgraph,
  redisUrl: string,
  namespace: string,
  whenStoreDown: WhenStoreDown = 'open',
): Promise<TestGateway> {
  const redis = connectRateLimitRedis(redisUrl, silentLogger());
  await vi.waitFor(
    () => {
      expect(redis.isReady).toBe(true);
    },
    { timeout: 5_000 },
  );
  const rateLimits: RateLimits = createRateLimits({
    limiter: createRateLimiter({ namespace, logger: silentLogger(), redis, whenStoreDown }),
    access,
    logger: silentLogger(),
  });
  return startGateway(
    false,
    [accounts],
    { accounts: ACCOUNTS_SDL },
    { authenticate: createAuthenticator({ access }), rateLimits },
  );
}

describe('per-client rate limits on two gateway replicas sharing Redis', () => {
  let accounts: TinySubgraph;
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    const redisUrl = await requireRedis();
    const namespace = `gateway-rl-test-${randomUUID()}`;
    accounts = await startTinySubgraph('accounts', ACCOUNTS_SDL, resolvers);
    a = await startReplica(accounts, redisUrl, namespace);
    b = await startReplica(accounts, redisUrl, namespace);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await accounts.stop();
  });

  it('lets exactly N requests of a client through across both replicas, then answers 429 RATE_LIMITED with Retry-After and RateLimit headers', async () => {
    for (const [index, replica] of [a, b, a].entries()) {
      const response = await post(replica.server.url, '{ me { id } }', as(keys.acme));
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit-policy')).toBe('"metered";q=3;w=60');
      expect(response.headers.get('ratelimit')).toMatch(
        new RegExp(`^"metered";r=${2 - index};t=\\d+$`),
      );
      await response.body?.cancel();
    }

    const refused = await post(b.server.url, '{ me { id } }', as(keys.acme));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit')).toMatch(/^"metered";r=0;t=\d+$/);
    expect(refused.headers.get('ratelimit-policy')).toBe('"metered";q=3;w=60');
    const body = (await refused.json()) as Body;
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: retryAfter,
      violatedPolicies: ['metered'],
    });

    // A plain application/json client is refused the same way: nothing was executed.
    const plain = await post(a.server.url, '{ me { id } }', as(keys.acme), 'application/json');
    expect(plain.status).toBe(429);
    expect(plain.headers.get('retry-after')).not.toBeNull();
    expect(((await plain.json()) as Body).errors?.[0]?.extensions?.['code']).toBe('RATE_LIMITED');
    expect(accounts.received.length).toBeGreaterThan(0);
  });

  it('leaves another client untouched', async () => {
    const response = await post(a.server.url, '{ me { id } }', as(keys.globex));
    expect(response.status).toBe(200);
    expect(response.headers.get('ratelimit')).toMatch(/^"metered";r=2;t=\d+$/);
    expect(await response.json()).toEqual({ data: { me: { id: '1' } } });
  });

  it('counts anonymous callers by address, on their own tier', async () => {
    expect((await post(a.server.url, '{ me { id } }')).status).toBe(200);
    expect((await post(b.server.url, '{ me { id } }')).status).toBe(200);
    const refused = await post(a.server.url, '{ me { id } }');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('ratelimit-policy')).toBe('"anonymous";q=2;w=60');
  });

  it("applies a root field's own limit on top of the tier's, without a subgraph call for the refused operation", async () => {
    const first = await post(a.server.url, '{ fail }', as(keys.initech));
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe(
      '"metered";q=3;w=60, "metered-fail";q=1;w=60',
    );
    await first.body?.cancel();
    const calls = accounts.received.length;

    const refused = await post(b.server.url, 'query Renamed { fail }', as(keys.initech));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as Body & { data?: unknown };
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      violatedPolicies: ['metered-fail'],
    });
    expect(body.errors?.[0]?.extensions).not.toHaveProperty('http');
    expect(accounts.received.length).toBe(calls);

    // Other operations of the same client are limited only by its tier.
    expect((await post(a.server.url, '{ me { id } }', as(keys.initech))).status).toBe(200);
  });
});

describe('gateway rate limits when Redis is down', () => {
  let accounts: TinySubgraph;
  let redis: RedisServer;
  const started: TestGateway[] = [];
  beforeAll(async () => {
    accounts = await startTinySubgraph('accounts', ACCOUNTS_SDL, resolvers);
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const gateway of started) await gateway.close();
    await accounts.stop();
    await redis.stop();
  });

  it('fails open by default (answers, without RateLimit headers) and closed when configured (503 STORE_UNAVAILABLE)', async () => {
    const namespace = `gateway-rl-down-${randomUUID()}`;
    const open = await startReplica(accounts, redis.url, namespace, 'open');
    const closed = await startReplica(accounts, redis.url, namespace, 'closed');
    started.push(open, closed);
    expect((await post(open.server.url, '{ me { id } }', as(keys.globex))).status).toBe(200);

    await redis.stop();
    for (let i = 0; i < 5; i++) {
      const response = await post(open.server.url, '{ me { id } }', as(keys.globex));
      expect(response.status).toBe(200);
      expect(response.headers.get('ratelimit')).toBeNull();
      await response.body?.cancel();
    }
    const refused = await post(closed.server.url, '{ me { id } }', as(keys.globex));
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as Body).errors?.[0]?.extensions?.['code']).toBe(
      'STORE_UNAVAILABLE',
    );
  });
});
