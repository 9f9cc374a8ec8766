import { Job, type Queue, type RedisClient } from 'bullmq';
import type { QueueRedis } from '@manifold/platform/dead-letters';
import { deliveryKey } from '../engine/ids.ts';
import { createClaimAndAdd, type DeliveryToAdd } from '../engine/claim-and-add.ts';
import type { DeliveryJob, EventJob } from '../engine/queues.ts';
import type { OrderKeys } from '../settings/order-keys.ts';
import type { Router } from '../settings/routing.ts';
import { orderLineKey } from './ordering.ts';
import { receiptKey } from './receipts.ts';

export interface FanOutDeps {
  route: Router;
  deliveries: Queue<DeliveryJob>;
  /** The connection the queue adds on (ours go on it too: Redis runs them in the order written). */
  redis: QueueRedis;
  /** The queue's key prefix (the receipts and ordering lines live beside its jobs). */
  prefix: string;
  /** Delivery attempts in all: the first and one per retry delay. */
  attempts: number;
  /**
   * The duplicate window: an event's receipt is kept this long after it arrived, a delivered
   * job this long after it was delivered (so its id outlives the receipt: a resend the receipt
   * no longer recognises still adds nothing twice).
   */
  dedupeSeconds: number;
  /** Routes with `orderBy`: each delivery's key (absent: nothing is ordered). */
  orderKeys?: OrderKeys | undefined;
}

/**
 * What an event's receipt keeps (ids.ts): its content hash, and — computed only if needed — the
 * body-only hash a receipt kept by an earlier build holds instead (still in Redis for a duplicate
 * window after an upgrade: a retry matching it is the same event).
 */
export interface ReceiptHashes {
  content: string;
  bodyOnly: () => string;
}

export interface FanOutOptions {
  /** A destination the event's routes name that it is not sent to (an endpoint's own disabling notice). */
  except?: string;
}

/**
 * What became of an event: stored (now, by this request: its deliveries are all kept), a
 * duplicate (kept before, with every delivery), or its id reused for another body or type
 * (nothing of it stored).
 */
export type FanOutOutcome = 'stored' | 'duplicate' | 'id-reused';

/**
 * An accepted event → its deliveries, stored before the sender is answered: one job per
 * destination its routes name (but `except`), id `<event>-<destination>` (= its
 * Idempotency-Key), and the event's receipt (its content hash: type and body, kept for the
 * duplicate window). Redis answers each write once it is in its AOF: resolved means durable.
 *
 * Done at receipt, not by a worker reading a stored event: per event, the receipt and one add
 * per destination, and no event job for a worker to fan out — that second job had doubled the
 * workers' cost per event (docs/benchmarks.md).
 *
 * The receipt (receipts.ts) is claimed and, only if it was not kept already, every delivery added
 * in one Redis script (engine/claim-and-add.ts): one round trip, and no receipt without its
 * deliveries unless the script fails part-way (the sender's retry adds the rest). Two requests with one id at the same instant: one claims and adds, the other sees
 * that receipt (the script runs whole).
 *
 * A receipt kept already: the same content (a sender's resend) adds what is missing — a job id
 * already kept adds nothing (BullMQ), a delivery already in its ordering line keeps its place
 * (ZADD NX), and one that is over is not put back in its line — and is a duplicate (200) when
 * nothing is (a delivered job is kept for the window after its delivery). Another body or type
 * (an id reused) adds nothing and is refused (409).
 */
export function createFanOut({
  route,
  deliveries,
  redis,
  prefix,
  attempts,
  dedupeSeconds,
  orderKeys,
}: FanOutDeps) {
  const jobOptions = (jobId: string) => ({
    jobId,
    attempts,
    backoff: { type: 'webhooks' },
    removeOnComplete: { age: dedupeSeconds },
    // A delivery that failed for good stays: it is the dead letter.
    removeOnFail: false,
  });
  /** The event's deliveries: one job per destination, and the ordering line each joins (if any). */
  const deliveriesOf = (
    event: string,
    data: EventJob,
    destinations: readonly string[],
  ): (DeliveryToAdd & { key: string })[] => {
    const keys = orderKeys?.(data.source, data.eventType, data.body);
    return destinations.map((destination) => {
      const key = deliveryKey(event, destination);
      const orderKey = keys?.get(destination);
      const job = new Job<DeliveryJob>(
        deliveries,
        'deliver',
        {
          ...data,
          destination,
          idempotencyKey: key,
          ...(orderKey !== undefined && { orderKey }),
        },
        jobOptions(key),
        key,
      );
      return {
        key,
        job,
        line:
          orderKey === undefined
            ? undefined
            : {
                key: orderLineKey(prefix, destination, orderKey),
                score: Date.parse(data.receivedAt),
              },
      };
    });
  };
  /**
   * A resend's adds, each after its place in line, written in this order on the connection. An
   * ordered delivery whose job is kept stays as it is: in its line while pending, and out of it
   * for good once over — put back, it would sit there until a later event cleared it.
   */
  const addMissing = (client: RedisClient, toAdd: ReturnType<typeof deliveriesOf>) =>
    toAdd.map(async ({ key, job, line }) => {
      if (line !== undefined && (await redis.exists(deliveries.toKey(key))) === 1) return;
      // In line before the job exists (written first): it can never go ahead of an earlier
      // event's delivery.
      const joined = line !== undefined && redis.zadd(line.key, 'NX', line.score, key);
      await Promise.all([joined, job.addJob(client)]);
    });
  const claimAndAdd = createClaimAndAdd(redis);
  return async (
    event: string,
    data: EventJob,
    hashes: ReceiptHashes,
    { except }: FanOutOptions = {},
  ): Promise<FanOutOutcome> => {
    const destinations = route(data.source, data.eventType).filter(
      (destination) => destination !== except,
    );
    const toAdd = deliveriesOf(event, data, destinations);
    // New: the receipt and every delivery in one step, answered once in the AOF: resolved means
    // durable.
    const earlier = await claimAndAdd(
      { key: receiptKey(prefix, event), contentHash: hashes.content, keepSeconds: dedupeSeconds },
      toAdd,
    );
    if (earlier === null) return 'stored';
    if (earlier !== hashes.content && earlier !== hashes.bodyOnly()) return 'id-reused';
    // The same event again: a sender's resend, or a request at the same instant as the claiming
    // one. Every delivery kept: a duplicate, nothing to do. Any missing (one removed meanwhile, a
    // script that failed part-way, or a receipt an earlier build kept before its adds, which it
    // did in a step of their own): this
    // request adds them — a job id kept adds nothing — and stands for the event (202).
    const jobKeys = toAdd.map(({ key }) => deliveries.toKey(key));
    if (jobKeys.length === 0 || (await redis.exists(...jobKeys)) === jobKeys.length)
      return 'duplicate';
    const client = await deliveries.backend.client;
    await Promise.all(addMissing(client, toAdd));
    return 'stored';
  };
}
export type FanOut = ReturnType<typeof createFanOut>;
