import { randomUUID } from 'node:crypto';
import { Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requireRedis, startRedisServer } from '@manifold/platform/testing';
import {
  checkClaimAndAdd,
  createClaimAndAdd,
  type ReceiptClaim,
} from '../src/engine/claim-and-add.ts';

// The script runs BullMQ's own add inside ours (engine/claim-and-add.ts): these tests hold it to
// what BullMQ's add makes, on a real Redis, so that a BullMQ upgrade that adds otherwise fails here.
let url: string;
let redis: Redis;
let queue: Queue;
const prefix = `claim-and-add-${randomUUID()}`;
beforeAll(async () => {
  url = await requireRedis();
  redis = new Redis(url, { maxRetriesPerRequest: 1 });
  queue = new Queue('deliveries', { connection: redis, prefix });
  await queue.waitUntilReady();
});
afterAll(async () => {
  await queue.obliterate({ force: true });
  const leftovers = await redis.keys(`${prefix}:*`);
  if (leftovers.length > 0) await redis.del(...leftovers);
  await queue.close();
  redis.disconnect();
});

const options = (jobId: string) => ({
  jobId,
  attempts: 5,
  backoff: { type: 'webhooks' },
  removeOnComplete: { age: 60 },
  removeOnFail: false,
});
const deliveryJob = (id: string, data: object = { body: id }) =>
  new Job(queue, 'deliver', data, options(id), id);
const receipt = (event: string, contentHash = 'hash-a'): ReceiptClaim => ({
  key: `${prefix}:receipts:${event}`,
  contentHash,
  keepSeconds: 120,
});
/** A job as Redis keeps it, but for the moment it was made and its own id. */
const stored = async (id: string) => {
  const { timestamp, opts, ...fields } = await redis.hgetall(queue.toKey(id));
  expect(Number(timestamp)).toBeGreaterThan(0);
  const { jobId, ...options } = JSON.parse(opts ?? '{}') as Record<string, unknown>;
  expect(jobId).toBe(id);
  return { ...fields, opts: options };
};

describe('claimAndAdd', () => {
  it('claims the receipt and adds each job as BullMQ’s own add does: the same fields, waiting, processed by a worker', async () => {
    const claimAndAdd = createClaimAndAdd(redis);
    const ours = ['ev1-crm', 'ev1-chat'];
    expect(
      await claimAndAdd(
        receipt('ev1'),
        ours.map((id) => ({ job: deliveryJob(id, { body: 'same' }) })),
      ),
    ).toBeNull();
    expect(await redis.get(`${prefix}:receipts:ev1`)).toBe('hash-a');
    expect(await redis.ttl(`${prefix}:receipts:ev1`)).toBeGreaterThan(100);
    // The reference: the same job added by BullMQ itself.
    await deliveryJob('reference', { body: 'same' }).addJob(await queue.backend.client);
    const reference = await stored('reference');
    for (const id of ours) expect(await stored(id)).toEqual(reference);
    expect(await queue.getWaiting()).toHaveLength(3);

    const processed: string[] = [];
    const worker = new Worker(
      queue.name,
      (job) => {
        processed.push(job.id ?? '');
        return Promise.resolve();
      },
      { connection: new Redis(url, { maxRetriesPerRequest: null }), prefix },
    );
    try {
      await vi.waitFor(() => {
        expect(processed.toSorted()).toEqual(['ev1-chat', 'ev1-crm', 'reference']);
      });
    } finally {
      await worker.close();
      await worker.disconnect();
    }
  });

  it('adds nothing when the receipt is kept already, and answers the hash it keeps', async () => {
    const claimAndAdd = createClaimAndAdd(redis);
    expect(
      await claimAndAdd(receipt('ev2', 'hash-b'), [{ job: deliveryJob('ev2-crm') }]),
    ).toBeNull();
    expect(
      await claimAndAdd(receipt('ev2', 'hash-c'), [
        { job: deliveryJob('ev2-crm', { body: 'other' }) },
        { job: deliveryJob('ev2-chat') },
      ]),
    ).toBe('hash-b');
    expect((await queue.getJob('ev2-crm'))?.data).toEqual({ body: 'ev2-crm' });
    expect(await queue.getJob('ev2-chat')).toBeUndefined();
  });

  it('puts each ordered delivery in its line before its job, and leaves the others out of any line', async () => {
    const claimAndAdd = createClaimAndAdd(redis);
    const line = (name: string) => `${prefix}:line:${name}`;
    expect(
      await claimAndAdd(receipt('ev3'), [
        { job: deliveryJob('ev3-crm'), line: { key: line('crm'), score: 1_000 } },
        { job: deliveryJob('ev3-chat') },
        { job: deliveryJob('ev3-books'), line: { key: line('books'), score: 2_000 } },
      ]),
    ).toBeNull();
    expect(await redis.zrange(line('crm'), 0, -1, 'WITHSCORES')).toEqual(['ev3-crm', '1000']);
    expect(await redis.zrange(line('books'), 0, -1, 'WITHSCORES')).toEqual(['ev3-books', '2000']);
    for (const id of ['ev3-crm', 'ev3-chat', 'ev3-books'])
      expect(await queue.getJob(id)).toBeDefined();
  });

  it('leaves out of its line a delivery whose job is kept still (delivered, its receipt expired): it would wait there for nothing', async () => {
    const claimAndAdd = createClaimAndAdd(redis);
    const line = `${prefix}:line:kept`;
    // The job the first arrival added, kept for the window after its delivery; its receipt gone.
    await deliveryJob('ev6-crm').addJob(await queue.backend.client);
    expect(
      await claimAndAdd(receipt('ev6'), [
        { job: deliveryJob('ev6-crm'), line: { key: line, score: 1_000 } },
      ]),
    ).toBeNull();
    expect(await redis.zcard(line)).toBe(0);
  });

  it('fails part-way keeping what it wrote before: the receipt and the deliveries ahead of the failure (the state a sender’s retry completes, fan-out.ts)', async () => {
    const claimAndAdd = createClaimAndAdd(redis);
    // The second delivery's line is a key of another type: its ZADD fails, as a Redis error
    // part-way would (Redis undoes nothing a script wrote before it failed).
    const broken = `${prefix}:line:broken`;
    await redis.set(broken, 'not a line');
    await expect(
      claimAndAdd(receipt('ev8'), [
        { job: deliveryJob('ev8-crm') },
        { job: deliveryJob('ev8-chat'), line: { key: broken, score: 1_000 } },
      ]),
    ).rejects.toThrow(/WRONGTYPE/);
    expect(await redis.get(`${prefix}:receipts:ev8`)).toBe('hash-a');
    expect(await queue.getJob('ev8-crm')).toBeDefined();
    expect(await queue.getJob('ev8-chat')).toBeUndefined();
  });

  it('claims a receipt that routes nowhere: no job, and a later claim sees it', async () => {
    const claimAndAdd = createClaimAndAdd(redis);
    expect(await claimAndAdd(receipt('ev4'), [])).toBeNull();
    expect(await claimAndAdd(receipt('ev4', 'hash-d'), [])).toBe('hash-a');
  });

  it('refuses, with a message that says so, a job BullMQ would add with another script, and keeps nothing of it', async () => {
    const claimAndAdd = createClaimAndAdd(redis);
    // A delayed job is added by BullMQ's addDelayedJob: the arguments are not those of the add
    // this script runs, as after an upgrade that changes them.
    const delayed = new Job(
      queue,
      'deliver',
      {},
      { ...options('ev5-crm'), delay: 60_000 },
      'ev5-crm',
    );
    await expect(claimAndAdd(receipt('ev5'), [{ job: delayed }])).rejects.toThrow(
      /adds a job with addDelayedJob:.*, \d+ keys and arguments, not with addStandardJob:.*install the BullMQ version package.json names/,
    );
    expect(await redis.exists(`${prefix}:receipts:ev5`)).toBe(0);
    expect(await queue.getJob('ev5-crm')).toBeUndefined();
  });

  it('checks at start what it will run: BullMQ adds a delivery as expected with the same script text, and Redis compiles the script (loaded)', async () => {
    // A Redis of its own: its script cache starts empty (the shared one's holds every test's).
    const own = await startRedisServer();
    const client = new Redis(own.url, { maxRetriesPerRequest: 1 });
    const ownQueue = new Queue('deliveries', { connection: client, prefix });
    try {
      const cached = async () =>
        Number((await client.info('memory')).match(/number_of_cached_scripts:(\d+)/)?.[1]);
      expect(await cached()).toBe(0);
      await checkClaimAndAdd(client, ownQueue);
      expect(await cached()).toBe(1);
      const job = new Job(ownQueue, 'deliver', {}, options('ev7-crm'), 'ev7-crm');
      expect(await createClaimAndAdd(client)(receipt('ev7'), [{ job }])).toBeNull();
      expect(await ownQueue.getJob('ev7-crm')).toBeDefined();

      // The add script BullMQ loaded (its CommonJS build) made to differ from the text ours runs.
      const { scriptsSet } = (await ownQueue.backend.client) as unknown as {
        scriptsSet: Record<string, { lua: string }>;
      };
      const [loaded] = Object.entries(scriptsSet).filter(([name]) =>
        name.startsWith('addStandardJob:'),
      );
      expect(loaded).toBeDefined();
      loaded![1].lua += '\n-- another release';
      await expect(checkClaimAndAdd(client, ownQueue)).rejects.toThrow(
        /BullMQ's addStandardJob:.*, as it runs it, is not the text this build's claim-and-add runs/,
      );
    } finally {
      await ownQueue.close();
      client.disconnect();
      await own.stop();
    }
  });
});
