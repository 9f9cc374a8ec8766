import type { Job, Queue } from 'bullmq';
import { deliveryKey } from '../engine/ids.ts';
import type { DeliveryJob, EventJob } from '../engine/queues.ts';
import type { Router } from '../settings/routing.ts';

export interface FanOutDeps {
  route: Router;
  deliveries: Queue<DeliveryJob>;
  /** Delivery attempts in all: the first and one per retry delay. */
  attempts: number;
  /** How long a delivered job is kept (its id guards against a second fan-out of the same event). */
  keepSeconds: number;
}

/**
 * An accepted event → one delivery job per destination its routes name. The job ids are derived
 * from the event and the destination, so running this twice (a worker killed half-way) adds
 * nothing twice.
 */
export function createFanOut({ route, deliveries, attempts, keepSeconds }: FanOutDeps) {
  return async (job: Job<EventJob>): Promise<{ destinations: string[] }> => {
    const destinations = route(job.data.source, job.data.eventType);
    if (job.id === undefined) throw new Error('event job without an id');
    const event = job.id;
    await deliveries.addBulk(
      destinations.map((destination) => {
        const key = deliveryKey(event, destination);
        return {
          name: 'deliver',
          data: { ...job.data, destination, idempotencyKey: key },
          opts: {
            jobId: key,
            attempts,
            backoff: { type: 'webhooks' },
            removeOnComplete: { age: keepSeconds },
            // A delivery that failed for good stays: it is the dead letter.
            removeOnFail: false,
          },
        };
      }),
    );
    return { destinations };
  };
}
