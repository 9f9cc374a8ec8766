// A bulk replay and the recorded upstream requests among the dead letters (supplier orders,
// legacy writes: not safe to repeat). "Replay all" aimed at webhooks leaves them out; a filter
// naming their source sends each once; one replayed already is never sent again by a bulk
// replay, even one that read it before another replay marked it. The dry run counts what it
// holds back.
import { randomUUID } from 'node:crypto';
import { requireRedis } from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDeadLetters } from '../src/dead-letters/dead-letters.ts';
import { SUMMARY_FIELD } from '../src/dead-letters/failed-index.ts';
import { recordSupplierOrder } from './recorded-request-job.ts';
import { sign } from './signers.ts';
import {
  partnerSource,
  startSink,
  startWebhooks,
  type Sink,
  type TestWebhooks,
} from './support.ts';

const SECRET = 'bulk-secret';
let crm: Sink;
let supplier: Sink;
let webhooks: TestWebhooks;
let redisUrl: string;

/** Supplier orders recorded as soap-proxy records them (recordSupplierOrder): their ids. */
async function recordSupplierOrders(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n++)
    ids.push(
      await recordSupplierOrder({
        redisUrl,
        prefix: webhooks.engine.prefix,
        supplierUrl: supplier.url,
        reference: `PO-BULK-${randomUUID()}`,
      }),
    );
  return ids;
}

const bulk = async (filter: Record<string, string>, dryRun: boolean) =>
  (await (
    await fetch(`${webhooks.url}/api/v1/dead-letters/replay`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filter, dryRun }),
    })
  ).json()) as { matched: number; replayed: number; held: number; first: { id: string }[] };

const deadLettersAre = (count: number) =>
  vi.waitFor(
    async () => {
      expect(await webhooks.engine.deliveries.getActiveCount()).toBe(0);
      expect(await webhooks.engine.deliveries.getWaitingCount()).toBe(0);
      expect(await webhooks.deadLetters.count()).toBe(count);
    },
    { timeout: 20_000, interval: 100 },
  );

beforeAll(async () => {
  // Both refuse for now: every delivery and every replay to them fails.
  crm = await startSink(() => ({ status: 422 }));
  supplier = await startSink(() => ({ status: 500 }));
  redisUrl = await requireRedis();
  webhooks = await startWebhooks({
    redisUrl,
    file: {
      sources: {
        partner: partnerSource,
      },
      destinations: { crm: { url: crm.url } },
      routes: [{ source: 'partner', to: ['crm'] }],
    },
    secrets: { PARTNER_SECRET: SECRET },
  });
  webhooks.startWorkers();
  for (const id of ['w-1', 'w-2'])
    expect(
      (await webhooks.post('partner', sign.hmac(SECRET, { id, type: 'invoice.paid' }))).status,
    ).toBe(202);
  await recordSupplierOrders(2);
  await deadLettersAre(4);
});
afterAll(async () => {
  await webhooks.close();
  await crm.close();
  await supplier.close();
});

describe('a bulk replay', () => {
  it('holds back recorded upstream requests unless the filter names their source, and sends each once', async () => {
    const listed = await webhooks.deadLetters.list({});
    expect(listed.items.filter((letter) => letter.recorded).map((l) => l.source)).toEqual([
      'soap-proxy',
      'soap-proxy',
    ]);

    // A summary written without `recorded` (by another build) is not taken as "not recorded".
    const [order] = listed.items.filter((letter) => letter.recorded);
    const { recorded: _, ...withoutRecorded } = order!;
    await webhooks.engine.redis.hset(
      webhooks.engine.deliveries.toKey(order!.id),
      SUMMARY_FIELD,
      JSON.stringify(withoutRecorded),
    );

    // "Replay all": the webhooks go, the supplier orders nobody reviewed stay.
    const dry = await bulk({}, true);
    expect(dry).toMatchObject({ matched: 4, held: 2, replayed: 0 });
    expect(dry.first.map(({ id }) => id).every((id) => !id.startsWith('soap-proxy-'))).toBe(true);
    crm.answer.current = () => ({ status: 200 });
    expect(await bulk({}, false)).toMatchObject({ matched: 4, held: 2, replayed: 2 });
    await deadLettersAre(2);
    expect(crm.effects.size).toBe(2);
    expect(supplier.sent()).toBe(0);

    // Named by their source: each is sent once (and fails again at the supplier).
    expect(await bulk({ source: 'soap-proxy' }, true)).toMatchObject({ matched: 2, held: 0 });
    expect(await bulk({ source: 'soap-proxy' }, false)).toMatchObject({ replayed: 2, held: 0 });
    await vi.waitFor(
      () => {
        expect(supplier.sent()).toBe(2);
      },
      { timeout: 20_000 },
    );
    await deadLettersAre(2);

    // Replayed once already: no bulk replay sends them again, whatever its filter.
    expect(await bulk({ source: 'soap-proxy' }, true)).toMatchObject({
      matched: 2,
      held: 2,
      first: [],
    });
    expect(await bulk({ source: 'soap-proxy' }, false)).toMatchObject({ replayed: 0, held: 2 });
    expect(await webhooks.engine.deliveries.getWaitingCount()).toBe(0);
    expect(supplier.sent()).toBe(2);
    // One of each order (sent as recorded: keyed by nothing but its body).
    expect(new Set(supplier.received.map(({ body }) => body)).size).toBe(2);
  }, 60_000);

  it('does not send an order again when its read is older than another replay’s mark', async () => {
    const [id] = await recordSupplierOrders(1);
    await deadLettersAre(3);
    const sentBefore = supplier.sent();
    // A bulk replay by the orders' source reads the new one (the others were replayed: held
    // back), and waits there…
    const hasRead = Promise.withResolvers<undefined>();
    const gate = Promise.withResolvers<undefined>();
    const { deliveries } = webhooks.engine;
    const waitingAfterRead = new Proxy(deliveries, {
      get(target, property) {
        if (property === 'getJob')
          return async (jobId: string) => {
            const job = await target.getJob(jobId);
            if (jobId === id) {
              hasRead.resolve(undefined);
              await gate.promise;
            }
            return job;
          };
        const value: unknown = Reflect.get(target, property, target);
        return typeof value === 'function' ? (value.bind(target) as unknown) : value;
      },
    });
    const bulk = createDeadLetters({
      redis: webhooks.engine.redis,
      deliveries: waitingAfterRead,
    }).replayMatching({ source: 'soap-proxy' }, { dryRun: false });
    await hasRead.promise;
    // …while the order is replayed by id, sent, and refused again by the supplier.
    await webhooks.deadLetters.replay(id!);
    await vi.waitFor(
      () => {
        expect(supplier.sent()).toBe(sentBefore + 1);
      },
      { timeout: 20_000 },
    );
    await deadLettersAre(3);
    gate.resolve(undefined);
    // The bulk replay's read said "not replayed"; the mark in Redis says otherwise.
    expect(await bulk).toMatchObject({ matched: 3, held: 2, replayed: 0 });
    await deadLettersAre(3);
    expect(supplier.sent()).toBe(sentBefore + 1);
  }, 60_000);
});
