import { once } from 'node:events';
import KeyvRedis from '@keyv/redis';
import type { Keyv } from 'keyv';
import { createRepeatedFailureLog, type Logger } from '@manifold/platform/logging';
import { AppError } from '@manifold/platform/errors';

/**
 * Exclusive, expiring claims on a key, shared by every replica that shares the cache: the
 * building block for "exactly one of N concurrent duplicates does the work" (idempotent writes).
 */
export interface Claims {
  /**
   * True for exactly one caller until the claim is released or `ttlMs` passes.
   * Throws STORE_UNAVAILABLE when the shared store cannot say: the caller must not do the work.
   */
  claim(key: string, ttlMs: number): Promise<boolean>;
  release(key: string): Promise<void>;
}

export interface ClaimsOptions {
  /** How long to wait for a (re)connecting Redis before refusing. @default 1000 (1 s) */
  connectTimeoutMs?: number;
}

/**
 * Claims in the same store as `cache`: Redis `SET key NX PX ttl` when the cache is Redis (atomic
 * across replicas), a process-local map otherwise (an in-memory cache is one process anyway).
 * Unlike the cache, claims fail closed: with Redis unreachable a duplicate on another replica
 * could not be excluded, so the claim is refused (STORE_UNAVAILABLE) and nothing is written.
 */
export function createClaims(
  cache: Keyv,
  logger: Logger,
  { connectTimeoutMs = 1_000 }: ClaimsOptions = {},
): Claims {
  const store: unknown = cache.store;
  if (!(store instanceof KeyvRedis)) return localClaims();
  const redisKey = (key: string) => store.createKeyPrefix(`claim:${key}`, store.namespace);
  // The non-blocking cache client has no offline queue: a command sent while it (re)connects
  // fails at once, so wait for it to be ready first.
  const readyClient = async () => {
    const client = await store.getClient();
    if ('isReady' in client && !client.isReady) {
      await once(client, 'ready', { signal: AbortSignal.timeout(connectTimeoutMs) });
    }
    return client;
  };
  // Redis down means a refusal per write: the outage is logged once, then counted.
  const outage = createRepeatedFailureLog(logger, {
    message: 'claims: Redis unavailable; refusing writes (a claim taken expires by itself)',
  });
  const unavailable = (cause: unknown) => {
    outage.failed(cause);
    return new AppError(
      'STORE_UNAVAILABLE',
      'The shared store is unavailable; nothing was written',
      {
        cause,
        details: { retryAfterSeconds: 1 },
      },
    );
  };
  return {
    async claim(key, ttlMs) {
      let answer: string | null;
      try {
        const client = await readyClient();
        answer = await client.set(redisKey(key), String(process.pid), { NX: true, PX: ttlMs });
      } catch (error) {
        throw unavailable(error);
      }
      outage.recovered();
      return answer === 'OK';
    },
    async release(key) {
      try {
        const client = await readyClient();
        await client.del(redisKey(key));
      } catch (err) {
        outage.failed(err);
      }
    },
  };
}

function localClaims(): Claims {
  const expiries = new Map<string, number>(); // key → expiry (epoch ms)
  return {
    claim(key, ttlMs) {
      const now = Date.now();
      const expiresAt = expiries.get(key);
      if (expiresAt !== undefined && expiresAt > now) return Promise.resolve(false);
      expiries.set(key, now + ttlMs);
      return Promise.resolve(true);
    },
    release(key) {
      expiries.delete(key);
      return Promise.resolve();
    },
  };
}
