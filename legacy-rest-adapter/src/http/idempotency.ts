import { createHash } from 'node:crypto';
import { AppError } from '@manifold/platform/errors';
import type { Keyv } from 'keyv';

export interface StoredResponse {
  status: number;
  body: unknown;
  location?: string;
}

interface Record {
  state: 'in-flight' | 'done';
  requestHash: string;
  response?: StoredResponse;
}

const KEY = /^[\w\-:.]{1,255}$/;
const TTL_MS = 24 * 3_600_000; // a day: long enough for any client retry loop

/**
 * `Idempotency-Key` for POSTs: the first request runs; a repeat with the same body gets the stored
 * first response (same status and body); the same key with another body → 422; a repeat while
 * the first is still running → 409. Records live in the shared cache for a day.
 * Concurrency is excluded within a process (a lock) and recorded for every replica; strict
 * cross-replica exclusion needs an atomic set-if-absent in Redis (not yet).
 */
export function createIdempotency(cache: Keyv) {
  const running = new Set<string>();

  return async function idempotent(
    scope: string,
    rawKey: string | undefined,
    request: unknown,
    run: () => Promise<StoredResponse>,
  ): Promise<StoredResponse & { replayed: boolean }> {
    if (rawKey === undefined || !KEY.test(rawKey)) {
      throw new AppError(
        'BAD_USER_INPUT',
        'Send an Idempotency-Key header (1–255 characters of A–Z a–z 0–9 _ - : .)',
        {
          errors: [
            {
              pointer: '/headers/idempotency-key',
              detail: rawKey === undefined ? 'required' : 'invalid',
            },
          ],
        },
      );
    }
    const key = `idempotency:${scope}:${rawKey}`;
    const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('base64url');
    const existing = await cache.get<Record>(key);
    if (existing || running.has(key)) {
      if (existing && existing.requestHash !== requestHash)
        throw new AppError(
          'IDEMPOTENCY_KEY_REUSED',
          'This Idempotency-Key was used for a different request',
        );
      if (existing?.state === 'done' && existing.response)
        return { ...existing.response, replayed: true };
      throw new AppError(
        'CONFLICT',
        'A request with this Idempotency-Key is still being processed; retry shortly',
        { details: { retryAfterSeconds: 1 } },
      );
    }
    running.add(key);
    await cache.set(key, { state: 'in-flight', requestHash } satisfies Record, TTL_MS);
    try {
      const response = await run();
      await cache.set(key, { state: 'done', requestHash, response } satisfies Record, TTL_MS);
      return { ...response, replayed: false };
    } catch (error) {
      // A failed attempt leaves no record: the client may retry with the same key.
      await cache.delete(key);
      throw error;
    } finally {
      running.delete(key);
    }
  };
}

export type Idempotency = ReturnType<typeof createIdempotency>;
