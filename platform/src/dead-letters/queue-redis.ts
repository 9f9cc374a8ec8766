import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { ConfigError } from '../config/index.ts';

/**
 * How long a command waiting through a restart tries again on a Cluster (a connection that waits,
 * `maxRetriesPerRequest: null`): a node's connection is not reconnected by itself, the Cluster
 * client sends the command again after `retryDelayOnFailover`, `maxRedirections` times (16 × 100 ms
 * by default: a master that restarts slower than 1.6 s failed every command of the workers).
 */
const CLUSTER_WAIT_MS = 60_000;
const CLUSTER_RETRY_DELAY_MS = 200;

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
 * every node; a URL with a database or options is refused (ConfigError). A connection that waits
 * (`maxRetriesPerRequest: null`, the workers') waits through a node's restart there too, up to
 * CLUSTER_WAIT_MS.
 */
export function connectQueueRedis(
  url: string,
  { cluster, connection }: QueueRedisOptions,
): QueueRedis {
  if (!cluster) return new Redis(url, connection);
  const { hostname, port, username, password, protocol, pathname, search } = new URL(url);
  // A Cluster has database 0 only, and the node's URL is all a Cluster client takes of it.
  if (!['', '/', '/0'].includes(pathname) || search !== '')
    throw new ConfigError([
      `WEBHOOKS_REDIS_URL: a Redis Cluster node's URL names no database and no options (${pathname}${search}): use redis://[user:password@]host:port`,
    ]);
  const { enableOfflineQueue, lazyConnect, ...perNode } = connection;
  const waits = connection.maxRetriesPerRequest === null;
  return new Cluster([{ host: hostname.replace(/^\[|\]$/g, ''), port: Number(port || 6379) }], {
    ...(enableOfflineQueue !== undefined && { enableOfflineQueue }),
    ...(lazyConnect !== undefined && { lazyConnect }),
    ...(waits && {
      retryDelayOnFailover: CLUSTER_RETRY_DELAY_MS,
      maxRedirections: CLUSTER_WAIT_MS / CLUSTER_RETRY_DELAY_MS,
    }),
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
