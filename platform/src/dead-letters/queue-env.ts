import { z } from 'zod';

/**
 * Whether `prefix` holds a Redis Cluster hash tag: a `{`, then a `}` after it with something
 * between (Cluster hashes only the first such part of a key, so every key under the prefix is in
 * one slot).
 */
export function hasHashTag(prefix: string): boolean {
  const open = prefix.indexOf('{');
  if (open === -1) return false;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1;
}

/** The webhooks queue's key prefix unless WEBHOOKS_QUEUE_PREFIX says otherwise. */
export const DEFAULT_WEBHOOKS_QUEUE_PREFIX = '{webhooks}';

/**
 * Where the webhooks queue is, as every service that writes to it reads it: the webhooks service,
 * and the adapters that record their failed non-idempotent calls there as dead letters.
 */
export const WebhooksQueueEnv = z.object({
  /** The queue's Redis (AOF on, maxmemory-policy noeviction: checked at start). Unset: REDIS_URL. */
  WEBHOOKS_REDIS_URL: z.url().optional(),
  /**
   * `true`: WEBHOOKS_REDIS_URL (or REDIS_URL) names one node of a Redis Cluster, and the queue's
   * clients follow the Cluster's slots. The webhooks service refuses a Cluster node named without
   * it at start; an adapter's records would fail (each logged).
   */
  WEBHOOKS_REDIS_CLUSTER: z.stringbool().default(false),
  /**
   * The prefix of every key of the queue, with a hash tag: one event's keys — its receipt, its
   * jobs, its ordering lines — are written by one script, and Redis Cluster runs a script only on
   * keys of one slot. Without a tag every event would be refused on a Cluster (CROSSSLOT).
   */
  WEBHOOKS_QUEUE_PREFIX: z
    .string()
    .refine(hasHashTag, {
      message:
        'needs a Redis Cluster hash tag, e.g. {webhooks} or {acme-webhooks}: one event’s keys must share one slot',
    })
    .default(DEFAULT_WEBHOOKS_QUEUE_PREFIX),
});
