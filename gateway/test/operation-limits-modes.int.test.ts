import { createCache } from '@manifold/platform/cache';
import { installTestTelemetry, silentLogger, type TestTelemetry } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_OPERATION_LIMITS } from '../src/limits/limits.ts';
import { documentIdOf } from '../src/trusted-documents/manifest.ts';
import {
  ACCOUNTS_SDL,
  REVIEWS_SDL,
  startGateway,
  startTinySubgraph,
  type TestGateway,
  type TinySubgraph,
} from './support.ts';

// GRAPHQL_OPERATION_LIMITS=measure, for tuning limits on real traffic: what enforce refuses runs,
// and is only logged; both are counted. And a document stored by APQ under laxer limits is
// measured again when it comes back by hash alone.

const DEEP = '{ me { reviews { body } } }'; // depth 3
const limits = { ...DEFAULT_OPERATION_LIMITS, maxDepth: 2 };

let accounts: TinySubgraph;
let reviews: TinySubgraph;
let enforcing: TestGateway;
let measuring: TestGateway;
let lax: TestGateway;
let telemetry: TestTelemetry;

beforeAll(async () => {
  telemetry = installTestTelemetry();
  const account = { id: '1', name: 'Ada' };
  accounts = await startTinySubgraph('accounts', ACCOUNTS_SDL, {
    Query: { me: () => account },
    Account: { __resolveReference: () => account },
  });
  reviews = await startTinySubgraph('reviews', REVIEWS_SDL, {
    Account: { __resolveReference: (ref: unknown) => ref, reviews: () => [{ body: 'Great' }] },
  });
  const sdls = { accounts: ACCOUNTS_SDL, reviews: REVIEWS_SDL };
  // The APQ store two replicas share (Redis in production).
  const cache = createCache({ namespace: `limits-modes-${Date.now()}`, logger: silentLogger() });
  enforcing = await startGateway(true, [accounts, reviews], sdls, {
    cache,
    operationLimits: { mode: 'enforce', limits },
  });
  lax = await startGateway(true, [accounts, reviews], sdls, {
    cache,
    operationLimits: { mode: 'enforce', limits: DEFAULT_OPERATION_LIMITS },
  });
  measuring = await startGateway(true, [accounts, reviews], sdls, {
    operationLimits: { mode: 'measure', limits },
  });
});
afterAll(async () => {
  await enforcing.close();
  await measuring.close();
  await lax.close();
  await telemetry.close();
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

  it('counts every operation over a limit, by limit and mode', async () => {
    const points = await telemetry.points('manifold.graphql.operation_limit.refusals');
    const count = (mode: string) =>
      points.find(
        ({ attributes }) => attributes['limit'] === 'depth' && attributes['mode'] === mode,
      )?.value;
    expect(count('enforce')).toBe(1);
    expect(count('measure')).toBe(1);
  });

  it('measures a document that comes back by APQ hash alone, stored under laxer limits', async () => {
    const persistedQuery = { version: 1, sha256Hash: documentIdOf(DEEP) };
    const post = (gateway: TestGateway, body: object) =>
      fetch(`${gateway.server.url}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
        },
        body: JSON.stringify(body),
      });
    expect((await post(lax, { query: DEEP, extensions: { persistedQuery } })).status).toBe(200);
    const byHash = await post(enforcing, { extensions: { persistedQuery } });
    expect(byHash.status).toBe(400);
    expect(
      ((await byHash.json()) as { errors: { extensions: unknown }[] }).errors[0]?.extensions,
    ).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'depth' });
  });
});
