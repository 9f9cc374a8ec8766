import { compileAccessFile, staticAccessPolicy } from '@manifold/platform/auth';
import {
  createRateLimiter,
  createRateLimits,
  type RateLimiter,
  type RateLimitPolicy,
} from '@manifold/platform/rate-limit';
import { silentLogger, testCaller } from '@manifold/platform/testing';
import { describe, expect, it } from 'vitest';
import { createCostBudget } from './cost-budget.ts';

const ACCESS_FILE = {
  tiers: {
    free: {},
    partner: { graphqlCost: { budgetPerMinute: 1_000 } },
    internal: { graphqlCost: { budgetPerMinute: 0 } },
  },
  defaultTier: 'free',
  clients: {},
};
const ACCESS = compileAccessFile(ACCESS_FILE);

/** The in-memory limiter, counting how often the store is asked. */
function countingLimiter(): RateLimiter & { consumed: number } {
  const limiter = createRateLimiter({ namespace: 'cost-budget-test', logger: silentLogger() });
  const counting = {
    store: limiter.store,
    close: () => limiter.close(),
    refusedFromMemory: (policy: RateLimitPolicy) => {
      limiter.refusedFromMemory(policy);
    },
    consumed: 0,
    consume: (...args: Parameters<RateLimiter['consume']>) => {
      counting.consumed++;
      return limiter.consume(...args);
    },
  };
  return counting;
}

function budgetWith(limiter: RateLimiter) {
  return createCostBudget({
    rateLimits: createRateLimits({
      limiter,
      access: staticAccessPolicy(ACCESS),
      logger: silentLogger(),
    }),
    defaultPerMinute: 100,
    maxCost: 40,
  });
}

const payer = (clientId: string, tier: string) => ({
  caller: { ...testCaller({ clientId }), tier },
  clientKey: `client:${clientId}`,
});

describe('createCostBudget', () => {
  it("sizes the budget by the caller's tier, the default for a tier without one, none for 0", async () => {
    const budget = budgetWith(countingLimiter());
    expect(await budget.charge(60, payer('a', 'partner'))).toMatchObject({
      'ratelimit-policy': '"graphql-cost";q=1000;w=60',
    });
    expect(await budget.charge(60, payer('b', 'free'))).toMatchObject({
      'ratelimit-policy': '"graphql-cost";q=100;w=60',
      ratelimit: expect.stringMatching(/^"graphql-cost";r=40;t=\d+$/) as string,
    });
    await expect(budget.charge(60, payer('b', 'free'))).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      details: { violatedPolicies: ['graphql-cost'], cost: 60 },
    });
    expect(await budget.charge(1_000_000, payer('c', 'internal'))).toEqual({});
  });

  it("refuses an operation costing more than the tier's whole budget as over the maximum cost", async () => {
    const budget = budgetWith(countingLimiter());
    await expect(budget.charge(101, payer('a', 'free'))).rejects.toMatchObject({
      code: 'OPERATION_LIMIT_EXCEEDED',
      details: { limit: 'cost', measured: 101, maximum: 100 },
    });
  });

  it('charges refused operations the maximum cost, then refuses the client from memory, without asking the store', async () => {
    const limiter = countingLimiter();
    const budget = budgetWith(limiter);
    const flooder = payer('flooder', 'free');
    expect(budget.exhausted(flooder)).toBeUndefined();
    await budget.chargeRefusal(flooder); // 40 of 100
    await budget.chargeRefusal(flooder); // 80
    expect(budget.exhausted(flooder)).toBeUndefined();
    await budget.chargeRefusal(flooder); // 120: refused by the store, remembered
    const asked = limiter.consumed;
    for (let i = 0; i < 100; i++) {
      const refusal = budget.exhausted(flooder);
      expect(refusal?.code).toBe('RATE_LIMITED');
      expect(Number(refusal?.details?.['retryAfterSeconds'])).toBeGreaterThanOrEqual(1);
      expect(refusal?.headers).toMatchObject({
        'ratelimit-policy': '"graphql-cost";q=100;w=60',
        ratelimit: expect.stringMatching(/^"graphql-cost";r=0;t=\d+$/) as string,
      });
    }
    expect(limiter.consumed).toBe(asked);
    // Another client is not affected.
    expect(budget.exhausted(payer('bystander', 'free'))).toBeUndefined();
  });

  it('remembers a budget spent to the last point, even though that operation was allowed', async () => {
    const budget = budgetWith(countingLimiter());
    const client = payer('exact', 'free');
    await budget.charge(40, client);
    await budget.charge(40, client);
    expect(budget.exhausted(client)).toBeUndefined();
    await budget.charge(20, client);
    expect(budget.exhausted(client)?.code).toBe('RATE_LIMITED');
  });

  it('follows the access file: a changed tier budget applies to the next operation', async () => {
    let policy = ACCESS;
    const budget = createCostBudget({
      rateLimits: createRateLimits({
        limiter: countingLimiter(),
        access: { current: () => policy },
        logger: silentLogger(),
      }),
      defaultPerMinute: 100,
      maxCost: 40,
    });
    const client = payer('p', 'partner');
    expect((await budget.charge(1, client))['ratelimit-policy']).toBe('"graphql-cost";q=1000;w=60');
    policy = compileAccessFile({
      ...ACCESS_FILE,
      tiers: { ...ACCESS_FILE.tiers, partner: { graphqlCost: { budgetPerMinute: 50 } } },
    });
    expect((await budget.charge(1, client))['ratelimit-policy']).toBe('"graphql-cost";q=50;w=60');
  });
});
