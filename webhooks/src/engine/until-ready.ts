import type { QueueRedis } from '@manifold/platform/dead-letters';

/** Resolves once `redis` (one server or a Cluster client) is up, at once if it is; rejects after `timeoutMs`. */
export async function untilReady(redis: QueueRedis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis not ready within ${String(timeoutMs)} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    redis.once('ready', onReady);
  });
}
