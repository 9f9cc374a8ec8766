import { loadEnv } from '@manifold/platform/config';
import { describe, expect, it } from 'vitest';
import { GatewayEnv, operationLimitsFromEnv } from '../config.ts';
import { DEFAULT_OPERATION_LIMITS } from './limits.ts';

const env = (source: Record<string, string>) => loadEnv(GatewayEnv, source);

describe('operation limits from the environment', () => {
  it('are on by default, with the production defaults and a cost budget', () => {
    expect(operationLimitsFromEnv(env({}))).toEqual({
      mode: 'enforce',
      costBudgetPerMinute: 150_000,
      limits: DEFAULT_OPERATION_LIMITS,
    });
  });

  it('take each limit from its variable, and are switched off by GRAPHQL_OPERATION_LIMITS=off', () => {
    expect(
      operationLimitsFromEnv(
        env({
          GRAPHQL_OPERATION_LIMITS: 'measure',
          GRAPHQL_MAX_DEPTH: '8',
          GRAPHQL_MAX_COST: '900',
        }),
      ),
    ).toMatchObject({ mode: 'measure', limits: { maxDepth: 8, maxCost: 900 } });
    expect(operationLimitsFromEnv(env({ GRAPHQL_OPERATION_LIMITS: 'off' }))).toBeUndefined();
  });

  it('refuse a cost budget the costliest allowed operation could never fit in', () => {
    expect(() =>
      operationLimitsFromEnv(
        env({ GRAPHQL_MAX_COST: '10000', GRAPHQL_COST_BUDGET_PER_MINUTE: '5000' }),
      ),
    ).toThrow(/GRAPHQL_COST_BUDGET_PER_MINUTE/);
    expect(() => env({ GRAPHQL_MAX_DEPTH: '0' })).toThrow(/GRAPHQL_MAX_DEPTH/);
  });
});
