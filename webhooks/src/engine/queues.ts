import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { connectQueueRedis, type QueueRedis } from '@manifold/platform/dead-letters';
import { checkIsClusterNode, checkNotClusterNode } from './redis-check.ts';
import { untilReady } from './until-ready.ts';
import { batchWrites } from './write-batching.ts';

/** One accepted inbound event: what the sender sent, exactly, and what we made of it (each of its deliveries carries all of it). */
export interface EventJob {
  source: string;
  eventId: string;
  eventType: string;
  /** ISO 8601 UTC. */
  receivedAt: string;
  contentType: string;
  body: string;
}

/**
 * One (event, destination) pair: a job of its own, retried and dead-lettered on its own. The
 * event's content hash is the receipt's alone (fan-out.ts): kept with every job for the duplicate
 * window, it would cost each one ~80 bytes of Redis memory and AOF that nothing reads.
 */
export interface DeliveryJob extends EventJob {
  destination: string;
  /** Sent as Idempotency-Key on every attempt and replay: a destination honouring it acts once. */
  idempotencyKey: string;
  /** Its route's `orderBy` value: later deliveries with the same key to this destination wait for it. */
  orderKey?: string | undefined;
  /**
   * Set on a request another service sent to its upstream, failed ambiguously and recorded here
   * (@manifold/platform/dead-letters): not a webhook. Its first run only makes it a dead letter;
   * a replay sends this request (not a POST of the body to a configured destination), once.
   */
  upstreamRequest?: { method: string; url: string; headers: Record<string, string> };
  /** The recorded failure (the dead letter's error until a replay). */
  recordedError?: string;
  /** When it was replayed (ISO 8601): a recorded upstream request is replayed at most once. */
  replayedAt?: string;
  /**
   * When its replay, sent straight to its upstream, was about to go out (ISO 8601): a run of the
   * replay that finds it set was interrupted after that point (delivery/upstream-request.ts).
   */
  replaySentAt?: string;
}

export const DELIVERIES_QUEUE = 'deliveries';

export interface Engine {
  /** The producers' connection: fails fast while Redis is away (an inbound request answers 503 at once). */
  redis: QueueRedis;
  /** A connection for workers to duplicate: waits through a Redis restart instead of failing. */
  workerConnection: QueueRedis;
  deliveries: Queue<DeliveryJob>;
  prefix: string;
  /**
   * Resolves once the producers' connection is up (or rejects after `timeoutMs`). Rejects with a
   * ConfigError when the URL disagrees with the Cluster setting: on a Cluster, at once when it
   * names no Cluster node; on a single server, once up, when it names a Cluster node. Run at start
   * by the service and by the CLI alike, so that both say which setting is wrong.
   */
  ready: (timeoutMs: number) => Promise<void>;
  close: () => Promise<void>;
}

/**
 * The queues on Redis. Two kinds of connection: producers (HTTP requests) must not queue commands
 * while Redis is away — the sender would wait for nothing; it gets 503 and retries — while
 * workers' blocking commands must wait through a restart (`maxRetriesPerRequest: null`, as BullMQ
 * requires).
 */
export function createEngine({
  url,
  prefix,
  cluster = false,
}: {
  url: string;
  prefix: string;
  /** `url` names a node of a Redis Cluster (WEBHOOKS_REDIS_CLUSTER). */
  cluster?: boolean;
}): Engine {
  // Both batch their writes (write-batching.ts): concurrent requests and deliveries share writes.
  // A Cluster client holds a connection per node, made as it needs them: not batched.
  const batched = (connection: QueueRedis) =>
    connection instanceof Redis ? batchWrites(connection) : connection;
  const redis = batched(
    connectQueueRedis(url, {
      cluster,
      connection: { maxRetriesPerRequest: 1, enableOfflineQueue: false },
    }),
  );
  const workerConnection = batched(
    connectQueueRedis(url, {
      cluster,
      connection: { maxRetriesPerRequest: null, lazyConnect: true },
    }),
  );
  // Errors surface on the commands that fail; without a listener ioredis would print each one.
  redis.on('error', () => undefined);
  workerConnection.on('error', () => undefined);
  const deliveries = new Queue<DeliveryJob>(DELIVERIES_QUEUE, { connection: redis, prefix });
  // The same: a failing command fails its caller (an inbound request answers 503), which is where it shows.
  deliveries.on('error', () => undefined);
  return {
    redis,
    workerConnection,
    deliveries,
    prefix,
    ready: async (timeoutMs) => {
      if (redis.status !== 'ready') {
        if (cluster) await checkIsClusterNode(url, timeoutMs);
        await untilReady(redis, timeoutMs);
      }
      if (redis instanceof Redis) await checkNotClusterNode(redis, url);
    },
    close: async () => {
      await deliveries.close().catch(() => undefined);
      redis.disconnect();
      workerConnection.disconnect();
    },
  };
}
