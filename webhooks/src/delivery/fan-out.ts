import type { Job, Queue } from 'bullmq';
import { deliveryKey } from '../engine/ids.ts';
import type { DeliveryJob, EventJob } from '../engine/queues.ts';
import type { OrderKeys } from '../settings/order-keys.ts';
import type { Router } from '../settings/routing.ts';
import type { Ordering } from './ordering.ts';

export interface FanOutDeps {
  route: Router;
  deliveries: Queue<DeliveryJob>;
  /** Delivery attempts in all: the first and one per retry delay. */
  attempts: number;
  /** How long a delivered job is kept (its id guards against a second fan-out of the same event). */
  keepSeconds: number;
  /** Routes with `orderBy`: each delivery's key (absent: nothing is ordered). */
  orderKeys?: OrderKeys | undefined;
  ordering?: Ordering | undefined;
}

/**
 * An accepted event → one delivery job per destination its routes name. The job ids are derived
 * from the event and the destination, so running this twice (a worker killed half-way) adds
 * nothing twice. A delivery whose route orders by key joins its key's line first.
 */
export function createFanOut({
  route,
  deliveries,
  attempts,
  keepSeconds,
  orderKeys,
  ordering,
}: FanOutDeps) {
  return async (job: Job<EventJob>): Promise<{ destinations: string[] }> => {
    const destinations = route(job.data.source, job.data.eventType);
    if (job.id === undefined) throw new Error('event job without an id');
    const event = job.id;
    const keys =
      (ordering && orderKeys?.(job.data.source, job.data.eventType, job.data.body)) ||
      new Map<string, string>();
    // In line before the job exists: it can never go ahead of an earlier event's delivery.
    if (ordering)
      for (const [destination, orderKey] of keys)
        await ordering.join(
          destination,
          orderKey,
          deliveryKey(event, destination),
          job.data.receivedAt,
        );
    const jobs = destinations.map((destination) => {
      const key = deliveryKey(event, destination);
      return {
        name: 'deliver',
        data: {
          ...job.data,
          destination,
          idempotencyKey: key,
          ...(keys.has(destination) && { orderKey: keys.get(destination) }),
        },
        opts: {
          jobId: key,
          attempts,
          backoff: { type: 'webhooks' },
          removeOnComplete: { age: keepSeconds },
          // A delivery that failed for good stays: it is the dead letter.
          removeOnFail: false,
        },
      };
    });
    // One destination (the usual route): a plain add. addBulk would build an ioredis pipeline for
    // it — a copy of every script BullMQ defines, per event — to send the same one command.
    const [only] = jobs;
    if (jobs.length === 1 && only) await deliveries.add(only.name, only.data, only.opts);
    else await deliveries.addBulk(jobs);
    return { destinations };
  };
}
