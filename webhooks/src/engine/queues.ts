import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

/** One accepted inbound event: what the sender sent, exactly, and what we made of it. */
export interface EventJob {
  source: string;
  eventId: string;
  eventType: string;
  /** ISO 8601 UTC. */
  receivedAt: string;
  /** SHA-256 of the body, hex: the same id with another body is not a retry. */
  bodyHash: string;
  contentType: string;
  body: string;
}

/** One (event, destination) pair: a job of its own, retried and dead-lettered on its own. */
export interface DeliveryJob extends EventJob {
  destination: string;
  /** Sent as Idempotency-Key on every attempt and replay: a destination honouring it acts once. */
  idempotencyKey: string;
}

export const EVENTS_QUEUE = 'events';
export const DELIVERIES_QUEUE = 'deliveries';

export interface Engine {
  redis: Redis;
  events: Queue<EventJob>;
  deliveries: Queue<DeliveryJob>;
  prefix: string;
  close: () => Promise<void>;
}

/**
 * The queues on one Redis connection. `maxRetriesPerRequest: null`: BullMQ's blocking commands
 * must wait through a Redis restart, not fail after a few tries.
 */
export function createEngine({ url, prefix }: { url: string; prefix: string }): Engine {
  const redis = new Redis(url, { maxRetriesPerRequest: null });
  const events = new Queue<EventJob>(EVENTS_QUEUE, { connection: redis, prefix });
  const deliveries = new Queue<DeliveryJob>(DELIVERIES_QUEUE, { connection: redis, prefix });
  return {
    redis,
    events,
    deliveries,
    prefix,
    close: async () => {
      await Promise.allSettled([events.close(), deliveries.close()]);
      redis.disconnect();
    },
  };
}
