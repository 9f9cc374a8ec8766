// The disabling rule on real Redis, with a clock the test moves: only failures for long enough
// disables (a success in between starts the count again), and of many workers crossing the rule
// at once exactly one disables (one `endpoint.disabled`).
import { randomUUID } from 'node:crypto';
import { requireRedis } from '@manifold/platform/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEndpointStates, type EndpointState } from '../src/outbound/endpoint-states.ts';

const HOUR = 3_600_000;
let redis: Redis;
const prefix = `{webhooks-test-${randomUUID()}}`;

beforeAll(async () => {
  redis = new Redis(await requireRedis());
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

function states(rule: { afterDeadLetters: number; afterMs: number }) {
  const clock = { now: 1_000_000 };
  const disabled: EndpointState[] = [];
  const endpoints = createEndpointStates({
    redis,
    prefix,
    names: ['erp', 'crm', 'busy'],
    rule,
    onDisabled: (state) => {
      disabled.push(state);
      return Promise.resolve();
    },
    now: () => clock.now,
  });
  return { endpoints, clock, disabled };
}

describe('endpoint disabling rule', () => {
  it('disables after only failures for the configured time, not before, and not when a success came between', async () => {
    const { endpoints, clock, disabled } = states({ afterDeadLetters: 100, afterMs: 120 * HOUR });
    await endpoints.failed('erp', { deadLettered: false });
    await endpoints.failed('crm', { deadLettered: false });
    clock.now += 60 * HOUR;
    await endpoints.succeeded('crm'); // crm recovers half-way
    clock.now += 60 * HOUR - 1;
    await endpoints.failed('erp', { deadLettered: false });
    expect(await endpoints.disabled('erp')).toBeUndefined();
    clock.now += 1;
    await endpoints.failed('erp', { deadLettered: true });
    await endpoints.failed('crm', { deadLettered: true });
    expect(disabled).toMatchObject([
      { name: 'erp', disabled: true, reason: 'only failures for 120 h' },
    ]);
    expect(await endpoints.disabled('crm')).toBeUndefined();
    // Failing on while disabled changes nothing and says nothing twice.
    await endpoints.failed('erp', { deadLettered: true });
    expect(disabled).toHaveLength(1);
    expect(await endpoints.enable('erp')).toMatchObject({
      disabled: false,
      consecutiveDeadLetters: 0,
    });
  });

  it('disables once when many workers cross the rule together', async () => {
    const { endpoints, disabled } = states({ afterDeadLetters: 3, afterMs: 120 * HOUR });
    await Promise.all(
      Array.from({ length: 20 }, () => endpoints.failed('busy', { deadLettered: true })),
    );
    expect(disabled.map((state) => state.name)).toEqual(['busy']);
    expect((await endpoints.list()).find((state) => state.name === 'busy')).toMatchObject({
      disabled: true,
      reason: expect.stringMatching(/^\d+ dead letters in a row$/),
    });
  });
});
