import { Job, type Queue, type RedisClient } from 'bullmq';
import type { Redis } from 'ioredis';
import { deliveryKey } from '../engine/ids.ts';
import type { DeliveryJob, EventJob } from '../engine/queues.ts';
import type { OrderKeys } from '../settings/order-keys.ts';
import type { Router } from '../settings/routing.ts';
import { orderLineKey } from './ordering.ts';
import { createReceipts } from './receipts.ts';

export interface FanOutDeps {
  route: Router;
  deliveries: Queue<DeliveryJob>;
  /** The connection the queue adds on (ours go on it too: Redis runs them in the order written). */
  redis: Redis;
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
 * Idempotent, and self-healing: a job id already kept adds nothing (BullMQ), a delivery already
 * in its ordering line keeps its place (ZADD NX), and a resend puts no delivery that is over back
 * in its line. The receipt (receipts.ts) is claimed first, then the jobs are added. A receiver
 * that dies between the two leaves a receipt and no jobs: the sender's resend with the same body
 * and type adds them (202), one with another is refused (409) as any reuse of an id is. A resend
 * whose deliveries are all kept (a delivered job is kept for the window after its delivery) is a
 * duplicate (200) and adds nothing.
 *
 * An id reused with another body or type adds nothing: the claim answers the hash held, and
 * nothing is added. Two requests with one id at the same instant: one claims, the other reads
 * that claim (the command runs whole) — the same event adds the same job ids (nothing twice),
 * another adds nothing.
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
  /**
   * Every delivery's add (after its place in line), written in this order on the connection. A
   * resend's ordered delivery whose job is kept stays as it is: in its line while pending, and out
   * of it for good once over — put back, it would sit there until a later event cleared it.
   */
  const addDeliveries = (
    client: RedisClient,
    event: string,
    data: EventJob,
    destinations: readonly string[],
    resend: boolean,
  ) => {
    const keys = orderKeys?.(data.source, data.eventType, data.body);
    return destinations.map(async (destination) => {
      const key = deliveryKey(event, destination);
      const orderKey = keys?.get(destination);
      if (resend && orderKey !== undefined && (await redis.exists(deliveries.toKey(key))) === 1)
        return;
      // In line before the job exists (written first): it can never go ahead of an earlier
      // event's delivery.
      const joined =
        orderKey !== undefined &&
        redis.zadd(
          orderLineKey(prefix, destination, orderKey),
          'NX',
          Date.parse(data.receivedAt),
          key,
        );
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
      await Promise.all([joined, job.addJob(client)]);
    });
  };
  const receipts = createReceipts(redis, prefix, dedupeSeconds);
  return async (
    event: string,
    data: EventJob,
    hashes: ReceiptHashes,
    { except }: FanOutOptions = {},
  ): Promise<FanOutOutcome> => {
    const client = await deliveries.backend.client;
    const earlier = await receipts.claim(event, hashes.content);
    if (
      earlier !== null &&
      earlier.contentHash !== hashes.content &&
      earlier.contentHash !== hashes.bodyOnly()
    )
      return 'id-reused';
    const destinations = route(data.source, data.eventType).filter(
      (destination) => destination !== except,
    );
    if (earlier === null) {
      // New: the adds, written in this turn. Redis answers each once it is in its AOF: resolved
      // means durable.
      await Promise.all(addDeliveries(client, event, data, destinations, false));
      return 'stored';
    }
    // The same event again: a sender's resend, or a request at the same instant as the claiming
    // one. Every delivery kept: a duplicate, nothing to do. Any missing (a receiver died between
    // its claim and its adds, or the claiming request's adds are not in yet): this request adds
    // them — a job id kept adds nothing — and stands for the event (202).
    const jobKeys = destinations.map((destination) =>
      deliveries.toKey(deliveryKey(event, destination)),
    );
    if (jobKeys.length === 0 || (await redis.exists(...jobKeys)) === jobKeys.length)
      return 'duplicate';
    await Promise.all(addDeliveries(client, event, data, destinations, true));
    return 'stored';
  };
}
export type FanOut = ReturnType<typeof createFanOut>;
