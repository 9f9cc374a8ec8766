import { createClient } from '@redis/client';
import type { Logger } from 'pino';

/** What the limiter needs of its node-redis client (rate-limiter-flexible drives the rest). */
export interface RateLimitRedisClient {
  readonly isReady: boolean;
  readonly isOpen: boolean;
  close(): Promise<void>;
  destroy(): void;
}

/**
 * The rate limiter's own Redis connection (node-redis). Never waits for Redis: commands sent
 * while it is disconnected fail at once (no offline queue), so an outage is the limiter's
 * configured behaviour within a millisecond, not requests piling up behind a reconnect. The
 * client reconnects by itself; start-up does not wait for it either.
 */
export function connectRateLimitRedis(url: string, logger: Logger): RateLimitRedisClient {
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 1_000,
      // Back off up to 2 s between attempts, for as long as it takes.
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000),
    },
  });
  // Without a listener an 'error' event would crash the process. The outage itself is logged
  // once by the limiter, when a request finds the store down (with what it did about it).
  client.on('error', (error: unknown) => {
    logger.debug({ err: error }, 'rate-limit store (Redis) connection error');
  });
  client.connect().catch((error: unknown) => {
    logger.debug({ err: error }, 'rate-limit store (Redis) not reachable yet');
  });
  return client;
}
