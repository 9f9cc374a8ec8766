import { Job, type Queue, type RedisClient } from 'bullmq';
import type { Redis } from 'ioredis';
import { deliveryKey } from '../engine/ids.ts';
import type { DeliveryJob, EventJob } from '../engine/queues.ts';
import type { OrderKeys } from '../settings/order-keys.ts';
import type { Router } from '../settings/routing.ts';
import { orderLineKey } from './ordering.ts';

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

/** What was kept of an event before this fan-out: nothing (new), or its body's hash. */
export type EarlierReceipt = { bodyHash: string } | null;

/**
 * An accepted event → its deliveries, stored before the sender is answered: one job per
 * destination its routes name, id `<event>-<destination>` (= its Idempotency-Key), and the
 * event's receipt (its body's hash, kept for the duplicate window). Redis answers each write once
 * it is in its AOF: resolved means durable.
 *
 * Done at receipt, not by a worker reading a stored event: per event, the receipt and one add
 * per destination, and no event job for a worker to fan out — that second job had doubled the
 * workers' cost per event (docs/benchmarks.md).
 *
 * Idempotent, and self-healing: a job id already kept adds nothing (BullMQ), a delivery already
 * in its ordering line keeps its place (ZADD NX), a receipt already kept is not replaced (SET
 * NX). A resend of a kept event (same body) adds its deliveries again — nothing if they are kept,
 * and what a crash between the receipt and the jobs lost otherwise (a receipt outlives nothing it
 * stands for: a delivered job is kept for the window after its delivery).
 *
 * An id reused with another body adds nothing: the receipt is read before any add. Two requests
 * with one id and different bodies at the same instant can both pass that read; the second's
 * receipt is refused (409), but its adds for destinations the first's type does not route to
 * are not undone. It takes a sender signing two different events with one id, concurrently.
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
  /** Every delivery's add (after its place in line), written in this order on the connection. */
  const addDeliveries = (client: RedisClient, event: string, data: EventJob) => {
    const keys = orderKeys?.(data.source, data.eventType, data.body);
    return route(data.source, data.eventType).map((destination) => {
      const key = deliveryKey(event, destination);
      const orderKey = keys?.get(destination);
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
        { ...data, destination, idempotencyKey: key, ...(orderKey !== undefined && { orderKey }) },
        jobOptions(key),
        key,
      );
      return Promise.all([joined, job.addJob(client)]);
    });
  };
  return async (event: string, data: EventJob): Promise<EarlierReceipt> => {
    const client = await deliveries.backend.client;
    const receipt = receiptKey(prefix, event);
    // A read first (Redis answers it without an fsync): an id reused with another body adds
    // nothing (its other event type could name destinations the first did not), and a kept
    // receipt whose deliveries a crash left unwritten is healed by the resend, which adds them
    // again. Then the adds and the receipt, written together: one fsync before the answer.
    const kept = await redis.get(receipt);
    if (kept !== null && kept !== data.bodyHash) return { bodyHash: kept };
    const adds = addDeliveries(client, event, data);
    if (kept !== null) {
      await Promise.all(adds);
      return { bodyHash: kept };
    }
    const [stored] = await Promise.all([
      redis.set(receipt, data.bodyHash, 'EX', dedupeSeconds, 'NX'),
      ...adds,
    ]);
    if (stored === 'OK') return null;
    // Another request stored the same event meanwhile: its receipt, not ours, was kept. (Read
    // again rather than SET … GET, which Redis 6 refuses beside NX.)
    const earlier = await redis.get(receipt);
    return { bodyHash: earlier ?? data.bodyHash };
  };
}
export type FanOut = ReturnType<typeof createFanOut>;

/** Where an event's receipt is kept: its body's hash, for the duplicate window. */
export const receiptKey = (prefix: string, event: string) => `${prefix}:receipts:${event}`;
