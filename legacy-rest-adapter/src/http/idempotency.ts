import { createHash } from 'node:crypto';
import { Header } from '@manifold/platform/contracts';
import { AppError, isAppError, type ErrorCode } from '@manifold/platform/errors';
import { IDEMPOTENCY_KEY } from '../schemas/headers.ts';
import type { Claims } from './claims.ts';
import type { Keyv } from 'keyv';

export interface StoredResponse {
  status: number;
  body: unknown;
  location?: string;
}

/** A write that failed ambiguously and was recorded as a dead letter: its problem, as first answered. */
interface StoredFailure {
  code: ErrorCode;
  message: string;
  details: Readonly<{ [name: string]: unknown }>;
}

/**
 * What a run certainly wrote (the created ticket's id), told before anything that may fail after
 * the write: kept under the key whatever happens next. Plain JSON: it lives in the shared cache.
 */
export type Written = Readonly<{ [name: string]: unknown }>;

/** What a run is given: whether an earlier run with this key already wrote, and how to say it did. */
export interface IdempotentRun<W extends Written> {
  /**
   * What an earlier run with this key wrote before failing (its read-back): do not write again,
   * only finish (read back). Undefined: nothing written yet — write.
   */
  written: W | undefined;
  /**
   * Keeps `written` under the key: call it as soon as the write is known to have happened.
   * Resolves false when the store did not keep it (it answered false, or failed): then a repeat
   * with this key could write again, and the caller must not invite one.
   */
  wrote: (written: W) => Promise<boolean>;
}

interface Record {
  /** `written`: a run wrote, then failed (reading back); the next run with this key finishes it. */
  state: 'in-flight' | 'written' | 'done';
  requestHash: string;
  response?: StoredResponse;
  failure?: StoredFailure;
  written?: Written;
}

/**
 * The failure kept under the key: only one recorded as a dead letter (it carries `deadLetterId`).
 * The monolith may have acted on it, so the same key must not write again — the caller gets the
 * same problem, and the dead letter is reviewed and replayed once instead.
 */
function deadLettered(error: unknown): StoredFailure | undefined {
  if (!isAppError(error) || typeof error.details?.['deadLetterId'] !== 'string') return undefined;
  return { code: error.code, message: error.message, details: error.details };
}

const TTL_MS = 24 * 3_600_000; // a day: long enough for any client retry loop
// Longest a write may run before a duplicate may start another: well past the legacy timeout.
const CLAIM_TTL_MS = 60_000;

/**
 * `Idempotency-Key` for POSTs: the first request runs; a repeat with the same body gets the stored
 * first response (same status and body); the same key with another body → 422; a repeat while
 * the first is still running → 409. Records live in the shared cache for a day; "who runs" is an
 * atomic claim in the same store (Redis `SET NX` across replicas), so N concurrent duplicates on
 * any number of replicas make exactly one legacy write.
 *
 * A run that wrote and then failed (the legacy form was accepted, reading the result back was
 * not) has told `wrote(...)` first: its record keeps that fact, and a repeat runs again with
 * `written` set — it finishes the read-back and never writes a second time. Its answer is marked
 * replayed: the write it reports is the first request's.
 */
export function createIdempotency(cache: Keyv, claims: Claims) {
  const replayOrRefuse = (existing: Record | undefined, requestHash: string) => {
    if (existing && existing.requestHash !== requestHash)
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was used for a different request',
      );
    if (existing?.state === 'done' && existing.failure)
      throw new AppError(existing.failure.code, existing.failure.message, {
        details: existing.failure.details,
      });
    if (existing?.state === 'done' && existing.response)
      return { ...existing.response, replayed: true };
    return undefined;
  };
  const inFlight = () =>
    new AppError(
      'CONFLICT',
      'A request with this Idempotency-Key is still being processed; retry shortly',
      { details: { retryAfterSeconds: 1 } },
    );

  return async function idempotent<W extends Written>(
    scope: string,
    rawKey: string | undefined,
    request: unknown,
    run: (attempt: IdempotentRun<W>) => Promise<StoredResponse>,
  ): Promise<StoredResponse & { replayed: boolean }> {
    if (rawKey === undefined || !IDEMPOTENCY_KEY.test(rawKey)) {
      throw new AppError(
        'BAD_USER_INPUT',
        'Send an Idempotency-Key header (1–255 characters of A–Z a–z 0–9 _ - : .)',
        {
          errors: [
            {
              pointer: `/headers/${Header.idempotencyKey}`,
              detail: rawKey === undefined ? 'required' : 'invalid',
            },
          ],
        },
      );
    }
    const key = `idempotency:${scope}:${rawKey}`;
    const requestHash = createHash('sha256').update(JSON.stringify(request)).digest('base64url');
    const earlier = replayOrRefuse(await cache.get<Record>(key), requestHash);
    if (earlier) return earlier;
    if (!(await claims.claim(key, CLAIM_TTL_MS))) {
      const existing = await cache.get<Record>(key);
      const replay = replayOrRefuse(existing, requestHash);
      if (replay) return replay;
      throw inFlight();
    }
    try {
      // Re-read under the claim: the previous holder may have finished between our read and claim.
      const existing = await cache.get<Record>(key);
      const finished = replayOrRefuse(existing, requestHash);
      if (finished) return finished;
      const earlier = existing?.state === 'written' ? (existing.written as W) : undefined;
      let written = earlier;
      if (earlier === undefined)
        await cache.set(key, { state: 'in-flight', requestHash } satisfies Record, TTL_MS);
      const wrote = async (fact: W) => {
        written = fact;
        try {
          // Keyv answers false, rather than throwing, when its store refused the write.
          return await cache.set(
            key,
            { state: 'written', requestHash, written: fact } satisfies Record,
            TTL_MS,
          );
        } catch {
          return false;
        }
      };
      let response: StoredResponse;
      try {
        response = await run({ written: earlier, wrote });
      } catch (error) {
        // A failed attempt leaves no record — the client may retry with the same key — unless it
        // wrote (its `written` record stays: a retry finishes it) or may have written (a dead
        // letter: a retry gets the same problem). Either way, never a 2nd write.
        const failure = deadLettered(error);
        if (written === undefined && failure)
          await cache.set(key, { state: 'done', requestHash, failure } satisfies Record, TTL_MS);
        else if (written === undefined) await cache.delete(key);
        throw error;
      }
      await cache.set(key, { state: 'done', requestHash, response } satisfies Record, TTL_MS);
      return { ...response, replayed: earlier !== undefined };
    } finally {
      await claims.release(key);
    }
  };
}

export type Idempotency = ReturnType<typeof createIdempotency>;
