import { hash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { QueueRedis } from '@manifold/platform/dead-letters';

/** How long a delivery waiting behind an earlier one for its key waits before it looks again. */
export const ORDER_WAIT_MS = 250;

/** The line of one (destination, key): a sorted set of its pending deliveries' ids. */
export const orderLineKey = (prefix: string, destination: string, key: string) =>
  `${prefix}:order:${destination}:${hash('sha256', key, 'hex').slice(0, 32)}`;

/** States in which a delivery is still to go out: a later one for its key waits behind it. */
const PENDING = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);

/**
 * Per-key ordering on the queue's Redis: one sorted set per (destination, key) holding its
 * pending deliveries' ids, scored by the time their event was received (the fan-out puts each in
 * its line just before adding its job, on the same connection: fan-out.ts). A delivery goes only when
 * it is first in its line; the first is dropped from the line once it is done or dead-lettered
 * (checked against its job's state, so a worker that died after finishing one holds nothing up).
 * A dead letter replayed later has left its line: it goes at once.
 */
export function createOrdering({
  redis,
  prefix,
  deliveries,
}: {
  redis: QueueRedis;
  prefix: string;
  deliveries: Queue;
}) {
  const line = (destination: string, key: string) => orderLineKey(prefix, destination, key);

  return {
    /** Whether the delivery is first in its line; earlier ones that are over leave the line. */
    isFirst: async (destination: string, key: string, deliveryId: string): Promise<boolean> => {
      const name = line(destination, key);
      if ((await redis.zrank(name, deliveryId)) === null) return true;
      for (;;) {
        const [head] = await redis.zrange(name, 0, 0);
        if (head === undefined || head === deliveryId) return true;
        const state = await deliveries.getJobState(head);
        if (PENDING.has(state)) return false;
        await redis.zrem(name, head);
      }
    },

    /** The delivery is over (done or dead-lettered): the next in its line may go. */
    leave: async (destination: string, key: string, deliveryId: string) => {
      await redis.zrem(line(destination, key), deliveryId);
    },
  };
}
export type Ordering = ReturnType<typeof createOrdering>;
