import { randomUUID } from 'node:crypto';
import {
  EMPTY_ACCESS_POLICY,
  staticAccessPolicy,
  type Authenticate,
} from '@manifold/platform/auth';
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
// static cost comes out of its client's budget per minute, wherever it lands.

const BUDGET = 5;
// `me` is an object: cost 1; `a: me b: me c: me` costs 3.
const ONE = '{ me { name } }';
const THREE = '{ a: me { name } b: me { name } c: me { name } }';

const authenticate: Authenticate = (req) => {
  const client = req.headers['x-test-client'];
  return typeof client === 'string' ? testCaller({ clientId: client }) : ANONYMOUS;
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
  // No tier limits (an empty access file): only the cost budget counts here.
  const rateLimits = createRateLimits({
    limiter: createRateLimiter({ namespace, logger: silentLogger(), redis }),
    access: staticAccessPolicy(EMPTY_ACCESS_POLICY),
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

async function post(replica: TestGateway, client: string, query: string) {
  const before = accounts.received.length;
  const response = await fetch(`${replica.server.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      'x-test-client': client,
    },
    body: JSON.stringify({ query }),
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
});
