import { Cluster, Redis, type RedisOptions } from 'ioredis';

/** The webhooks queue's Redis: one server, or a Redis Cluster (WEBHOOKS_REDIS_CLUSTER). */
export type QueueRedis = Redis | Cluster;

export interface QueueRedisOptions {
  /**
   * Whether `url` names one node of a Redis Cluster: the client then learns the others from it and
   * sends each command to the node that holds its slot (every key of the queue is in one slot: the
   * prefix's hash tag, queue-env.ts).
   */
  cluster: boolean;
  /** ioredis's options for each connection (to the one server, or to every node of the Cluster). */
  connection: Pick<RedisOptions, 'maxRetriesPerRequest' | 'enableOfflineQueue' | 'lazyConnect'>;
}

/**
 * A connection to the queue's Redis at `url` (`redis://[user:password@]host:port`, or `rediss://`
 * for TLS). A Cluster is reached through the node the URL names; the credentials and TLS apply to
 * every node.
 */
export function connectQueueRedis(
  url: string,
  { cluster, connection }: QueueRedisOptions,
): QueueRedis {
  if (!cluster) return new Redis(url, connection);
  const { hostname, port, username, password, protocol } = new URL(url);
  const { enableOfflineQueue, lazyConnect, ...perNode } = connection;
  return new Cluster([{ host: hostname, port: Number(port || 6379) }], {
    ...(enableOfflineQueue !== undefined && { enableOfflineQueue }),
    ...(lazyConnect !== undefined && { lazyConnect }),
    redisOptions: {
      ...perNode,
      ...(username !== '' && { username: decodeURIComponent(username) }),
      ...(password !== '' && { password: decodeURIComponent(password) }),
      ...(protocol === 'rediss:' && { tls: {} }),
    },
  });
}

/** The node a connection's messages name: `host:port` of the URL (no credentials). */
export function shownNode(url: string): string {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port || '6379'}`;
}
