import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPERATION_LIMITS } from '../src/limits/limits.ts';
import {
  ACCOUNTS_SDL,
  REVIEWS_SDL,
  startGateway,
  startTinySubgraph,
  type TestGateway,
  type TinySubgraph,
} from './support.ts';

// GRAPHQL_OPERATION_LIMITS=measure, for tuning limits on real traffic: what enforce refuses runs,
// and is only logged.

const DEEP = '{ me { reviews { body } } }'; // depth 3
const limits = { ...DEFAULT_OPERATION_LIMITS, maxDepth: 2 };

let accounts: TinySubgraph;
let reviews: TinySubgraph;
let enforcing: TestGateway;
let measuring: TestGateway;

beforeAll(async () => {
  const account = { id: '1', name: 'Ada' };
  accounts = await startTinySubgraph('accounts', ACCOUNTS_SDL, {
    Query: { me: () => account },
    Account: { __resolveReference: () => account },
  });
  reviews = await startTinySubgraph('reviews', REVIEWS_SDL, {
    Account: { __resolveReference: (ref: unknown) => ref, reviews: () => [{ body: 'Great' }] },
  });
  const sdls = { accounts: ACCOUNTS_SDL, reviews: REVIEWS_SDL };
  enforcing = await startGateway(true, [accounts, reviews], sdls, {
    operationLimits: { mode: 'enforce', limits },
  });
  measuring = await startGateway(true, [accounts, reviews], sdls, {
    operationLimits: { mode: 'measure', limits },
  });
});
afterAll(async () => {
  await enforcing.close();
  await measuring.close();
  await accounts.stop();
  await reviews.stop();
});

describe('operation limit modes', () => {
  it('enforce refuses an operation over a limit', async () => {
    const answer = await enforcing.server.query(DEEP);
    expect(answer.errors?.[0]?.extensions).toMatchObject({
      code: 'OPERATION_LIMIT_EXCEEDED',
      limit: 'depth',
      measured: 3,
      maximum: 2,
    });
  });

  it('measure lets the same operation run', async () => {
    const answer = await measuring.server.query(DEEP);
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ me: { reviews: [{ body: 'Great' }] } });
  });
});
