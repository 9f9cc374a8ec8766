import { ConfigError } from '@manifold/platform/config';
import type { Logger } from '@manifold/platform/logging';
import { queueRedisUrl, type WebhooksEnv } from './config.ts';
import { checkQueueRedis } from './engine/redis-check.ts';
import { createEngine, type Engine } from './engine/queues.ts';
import { startWorkers, type Workers } from './engine/workers.ts';
import type { WebhooksMetrics } from './metrics.ts';
import { createRouter } from './settings/routing.ts';
import { loadWebhooksFile } from './settings/webhooks-file.ts';

const CONNECT_TIMEOUT_MS = 10_000;

/**
 * What the HTTP service and a worker-only process share: the webhooks file, the queue's Redis —
 * refused unless it keeps what it acknowledged (AOF, noeviction) — and the queues. Throws
 * ConfigError for anything an operator must fix; main.ts turns it into exit 1.
 */
export async function openEngine(env: WebhooksEnv, logger: Logger) {
  const file = loadWebhooksFile(env.WEBHOOKS_FILE, process.env);
  const url = queueRedisUrl(env);
  if (url === undefined)
    throw new ConfigError([
      'WEBHOOKS_REDIS_URL (or REDIS_URL): required — a Redis with AOF and maxmemory-policy noeviction (npm start runs a private one under .data/ when neither is set)',
    ]);
  const engine = createEngine({ url, prefix: env.WEBHOOKS_QUEUE_PREFIX });
  try {
    try {
      await engine.ready(CONNECT_TIMEOUT_MS);
    } catch {
      throw new ConfigError([
        `WEBHOOKS_REDIS_URL: no answer from ${new URL(url).host} within ${CONNECT_TIMEOUT_MS / 1000} s`,
      ]);
    }
    const { appendfsync } = await checkQueueRedis(engine.redis, url);
    if (appendfsync !== 'always')
      logger.warn(
        { appendfsync: appendfsync ?? 'unknown' },
        'queue Redis does not fsync every write: an acknowledged event survives a Redis crash, not a power loss (set appendfsync always for that)',
      );
  } catch (error) {
    await engine.close();
    throw error;
  }
  return { engine, file, url };
}

export function runWorkers(
  env: WebhooksEnv,
  engine: Engine,
  file: ReturnType<typeof loadWebhooksFile>,
  metrics: WebhooksMetrics,
  logger: Logger,
): Workers {
  return startWorkers({
    engine,
    route: createRouter(file.routes),
    destinations: file.destinations,
    schedule: env.WEBHOOKS_RETRY_SCHEDULE,
    maxRetryAfterMs: env.WEBHOOKS_MAX_RETRY_AFTER_MS,
    concurrency: env.WEBHOOKS_CONCURRENCY,
    lockMs: env.WEBHOOKS_LOCK_MS,
    dedupeSeconds: env.WEBHOOKS_DEDUPE_SECONDS,
    metrics,
    logger,
  });
}
