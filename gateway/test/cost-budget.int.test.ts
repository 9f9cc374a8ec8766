import { randomUUID } from 'node:crypto';
import { compileAccessFile, staticAccessPolicy, type Authenticate } from '@manifold/platform/auth';
import { ANONYMOUS } from '@manifold/platform/contracts';
import {
  connectRateLimitRedis,
  createRateLimiter,
  createRateLimits,
} from '@manifold/platform/rate-limit';
import { requireRedis, silentLogger, testCaller } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_OPERATION_LIMITS } from '../src/limits/limits.ts';
import {
  ACCOUNTS_SDL,
  startGateway,
  startTinySubgraph,
  type TestGateway,
  type TinySubgraph,
} from './support.ts';

// The per-client cost budget, on two gateway replicas sharing the real Redis: each operation's
// static cost comes out of its client's budget per minute (its tier's, or the default),
// wherever it lands.

const BUDGET = 5;
const LARGE_BUDGET = 12;
// `me` is an object: cost 1; `a: me b: me c: me` costs 3.
const ONE = '{ me { name } }';
const THREE = '{ a: me { name } b: me { name } c: me { name } }';
// More aliases than the default limit (30): refused before it is planned.
const TOO_MANY_ALIASES = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: me { name }`).join(' ')} }`;

// The default tier has no request limits and no budget of its own (BUDGET, the gateway's
// default, applies); `large` has both.
const ACCESS = compileAccessFile({
  tiers: {
    standard: {},
    large: {
      rateLimits: [{ name: 'large', requests: 1000, windowSeconds: 60 }],
      graphqlCost: { budgetPerMinute: LARGE_BUDGET },
    },
  },
  defaultTier: 'standard',
  clients: {},
});

const authenticate: Authenticate = (req) => {
  const client = req.headers['x-test-client'];
  const tier = req.headers['x-test-tier'];
  if (typeof client !== 'string') return ANONYMOUS;
  return {
    ...testCaller({ clientId: client }),
    tier: typeof tier === 'string' ? tier : 'standard',
  };
};

let accounts: TinySubgraph;
const replicas: TestGateway[] = [];

async function startReplica(redisUrl: string, namespace: string): Promise<TestGateway> {
  const redis = connectRateLimitRedis(redisUrl, silentLogger());
  await vi.waitFor(
    () => {
      expect(redis.isReady).toBe(true);
    },
    { timeout: 5_000 },
  );
  const rateLimits = createRateLimits({
    limiter: createRateLimiter({ namespace, logger: silentLogger(), redis }),
    access: staticAccessPolicy(ACCESS),
    logger: silentLogger(),
  });
  return startGateway(
    true,
    [accounts],
    { accounts: ACCOUNTS_SDL },
    {
      authenticate,
      rateLimits,
      operationLimits: {
        mode: 'enforce',
        limits: { ...DEFAULT_OPERATION_LIMITS, maxCost: BUDGET },
        costBudgetPerMinute: BUDGET,
        // Refusals from memory held briefly (1 s in production): the test needs the answer, not the wait.
        exhaustedBudgetHoldMs: 20,
      },
    },
  );
}

beforeAll(async () => {
  const redisUrl = await requireRedis();
  const namespace = `gateway-cost-test-${randomUUID()}`;
  accounts = await startTinySubgraph('accounts', ACCOUNTS_SDL, {
    Query: { me: () => ({ id: '1', name: 'Ada' }) },
    Account: { __resolveReference: () => ({ id: '1', name: 'Ada' }) },
  });
  replicas.push(await startReplica(redisUrl, namespace), await startReplica(redisUrl, namespace));
});
afterAll(async () => {
  for (const replica of replicas) await replica.close();
  await accounts.stop();
});

async function post(
  replica: TestGateway,
  client: string,
  query: string,
  { tier = 'standard', text = JSON.stringify({ query }) } = {},
) {
  const before = accounts.received.length;
  const response = await fetch(`${replica.server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      'x-test-client': client,
      'x-test-tier': tier,
    },
    body: text,
  });
  const body = (await response.json()) as {
    data?: unknown;
    errors?: { extensions?: Record<string, unknown> }[];
  };
  return { response, body, subgraphCalls: accounts.received.length - before };
}

describe('the per-client cost budget across two replicas sharing Redis', () => {
  it('takes each operation its cost from the client budget, then refuses with 429 RATE_LIMITED and Retry-After, nothing called', async () => {
    const [a, b] = replicas as [TestGateway, TestGateway];
    expect((await post(a, 'acme', THREE)).body.errors).toBeUndefined();
    expect((await post(b, 'acme', ONE)).body.errors).toBeUndefined();
    // 4 of 5 spent: a 3 no longer fits, on either replica.
    const refused = await post(b, 'acme', THREE);
    expect(refused.response.status).toBe(429);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      violatedPolicies: ['graphql-cost'],
      cost: 3,
    });
    const retryAfter = Number(refused.response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.response.headers.get('ratelimit-policy')).toBe('"graphql-cost";q=5;w=60');
    expect(refused.subgraphCalls).toBe(0);
  });

  it("leaves another client's budget alone", async () => {
    const [a] = replicas as [TestGateway];
    const other = await post(a, 'globex', THREE);
    expect(other.body.errors).toBeUndefined();
    expect(other.subgraphCalls).toBe(1);
  });

  it("gives each tier its own budget, and names it in an allowed answer's RateLimit headers beside the tier's limits", async () => {
    const [a, b] = replicas as [TestGateway, TestGateway];
    // The default budget (5) pays for one 3 but not two; the large tier's (12) for four.
    expect((await post(a, 'initech', THREE)).body.errors).toBeUndefined();
    expect((await post(b, 'initech', THREE)).response.status).toBe(429);
    for (const [index, replica] of [a, b, a, b].entries()) {
      const { response, body } = await post(replica, 'umbrella', THREE, { tier: 'large' });
      expect(body.errors).toBeUndefined();
      expect(response.headers.get('ratelimit-policy')).toBe(
        `"large";q=1000;w=60, "graphql-cost";q=${LARGE_BUDGET};w=60`,
      );
      expect(response.headers.get('ratelimit')).toMatch(
        new RegExp(`^"large";r=${999 - index};t=\\d+, "graphql-cost";r=${9 - 3 * index};t=\\d+$`),
      );
    }
    expect((await post(a, 'umbrella', ONE, { tier: 'large' })).response.status).toBe(429);
  });

  it('charges a refused document as the costliest operation, then refuses the client before reading its requests', async () => {
    const [a] = replicas as [TestGateway];
    // Refused for its aliases (maximum cost 5 charged: the whole default budget)…
    const refused = await post(a, 'hooli', TOO_MANY_ALIASES);
    expect(refused.response.status).toBe(400);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'aliases',
    });
    // …so the next request is refused before its body is even parsed: not valid JSON, yet 429.
    const blocked = await post(a, 'hooli', ONE, { text: '{"query": "{ me { na' });
    expect(blocked.response.status).toBe(429);
    expect(blocked.body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      violatedPolicies: ['graphql-cost'],
    });
    expect(Number(blocked.response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(blocked.response.headers.get('ratelimit-policy')).toBe(
      `"graphql-cost";q=${BUDGET};w=60`,
    );
    expect(blocked.response.headers.get('ratelimit')).toMatch(/^"graphql-cost";r=0;t=\d+$/);
    expect(blocked.subgraphCalls).toBe(0);
  });
});
