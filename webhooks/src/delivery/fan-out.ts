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
 * in its ordering line keeps its place (ZADD NX), and a resend puts no delivery that is over back
 * in its line. The receipt is claimed first (SET NX, in one
 * script with the read of a receipt already kept), the jobs added after: a crash between the two
 * leaves a receipt whose deliveries are missing, and the sender's resend (same body: a duplicate)
 * adds them again — nothing if they are kept. A receipt outlives nothing it stands for: a
 * delivered job is kept for the window after its delivery.
 *
 * An id reused with another body adds nothing: the claim answers the body hash already kept, and
 * nothing is added. Two requests with one id at the same instant: one claims, the other reads
 * that claim (the script runs whole) — the same body adds the same job ids (nothing twice),
 * another body adds nothing.
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
  const addDeliveries = (client: RedisClient, event: string, data: EventJob, resend: boolean) => {
    const keys = orderKeys?.(data.source, data.eventType, data.body);
    return route(data.source, data.eventType).map(async (destination) => {
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
        { ...data, destination, idempotencyKey: key, ...(orderKey !== undefined && { orderKey }) },
        jobOptions(key),
        key,
      );
      await Promise.all([joined, job.addJob(client)]);
    });
  };
  const claim = receiptClaim(redis);
  return async (event: string, data: EventJob): Promise<EarlierReceipt> => {
    const client = await deliveries.backend.client;
    const kept = await claim(receiptKey(prefix, event), data.bodyHash, dedupeSeconds);
    if (kept !== null && kept !== data.bodyHash) return { bodyHash: kept };
    // Redis answers each add once it is in its AOF: resolved means durable.
    await Promise.all(addDeliveries(client, event, data, kept !== null));
    return kept === null ? null : { bodyHash: kept };
  };
}
export type FanOut = ReturnType<typeof createFanOut>;

/** Where an event's receipt is kept: its body's hash, for the duplicate window. */
export const receiptKey = (prefix: string, event: string) => `${prefix}:receipts:${event}`;

/**
 * Claims a receipt: kept (with its expiry) if none is, else the body hash already kept is
 * answered. One script, so no other request can come between the read and the write.
 */
const CLAIM_RECEIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return false end
return redis.call('GET', KEYS[1])`;

function receiptClaim(redis: Redis) {
  // EVALSHA once Redis knows the script (ioredis sends it whole only the first time).
  redis.defineCommand('manifoldClaimReceipt', { numberOfKeys: 1, lua: CLAIM_RECEIPT });
  const claimer = redis as Redis & {
    manifoldClaimReceipt: (
      key: string,
      bodyHash: string,
      seconds: number,
    ) => Promise<string | null>;
  };
  /** Null: claimed now (a new event); else the body hash kept since an earlier request. */
  return (key: string, bodyHash: string, seconds: number) =>
    claimer.manifoldClaimReceipt(key, bodyHash, seconds);
}
