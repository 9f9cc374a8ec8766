import type { Job } from 'bullmq';
import type { DeliveryJob, Engine } from '../engine/queues.ts';

/** Where a page of dead letters starts: after this one (newest failure first). */
export interface Position {
  /** When it failed (ms since the epoch: its score in BullMQ's failed set). */
  failedAtMs: number;
  id: string;
}

/** What a listing needs of a dead letter: everything but its payload and history. */
export interface Summary {
  id: string;
  source: string;
  eventId: string;
  eventType: string;
  destination: string;
  idempotencyKey: string;
  receivedAt: string;
  failedAtMs: number;
  attempts: number;
  error: string;
  /** A request another service sent upstream and recorded (`upstreamRequest`): not a webhook. */
  recorded: boolean;
  /**
   * Whether its stored data is JSON, as BullMQ needs to read the job: one that is not (written by
   * another build or service) is listed and inspected, and never replayed — nothing could send it.
   */
  readable: boolean;
}

/**
 * The fields of a dead letter's job that never change (they come from the job's data), kept as one
 * small JSON field beside BullMQ's own in the job's hash. A listing reads them instead of the
 * job's data, which holds the payload (up to the body limit, megabytes): a page of a thousand
 * dead letters is a few hundred kilobytes, whatever their payloads. Kept in the job's hash so it
 * goes when BullMQ removes the job — nothing of ours to keep in step or to leak. Written the first
 * time a listing meets the job (by the reader that needs it), so letters failed before this code
 * existed, or recorded by another service into the same queue, are summarised the same way.
 */
// Versioned: a record that gains a field bumps it, and every letter is summarised afresh the next
// time it is listed (the earlier versions' fields then go).
export const SUMMARY_FIELD = 'mf:summary:3';
const PREVIOUS_SUMMARY_FIELDS = ['mf:summary:1', 'mf:summary:2'];
const SUMMARY_KEYS = [
  'source',
  'eventId',
  'eventType',
  'destination',
  'idempotencyKey',
  'receivedAt',
] as const;
type StoredSummary = Pick<Summary, (typeof SUMMARY_KEYS)[number] | 'recorded' | 'readable'>;

/** Whether a job's data, whatever its shape, is a recorded upstream request's. */
const isRecorded = (data: unknown): boolean =>
  typeof data === 'object' &&
  data !== null &&
  'upstreamRequest' in data &&
  typeof data.upstreamRequest === 'object' &&
  data.upstreamRequest !== null;

/**
 * A job's data as far as it parses (undefined where it does not: JSON never parses to undefined):
 * a letter whose data does not is still listed (fields empty).
 */
export function parsed(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

/**
 * These fields of a job's data, whatever its shape (a job written by an older build, or by another
 * service into the same queue): a field that is missing or not a string is empty, in a listing and
 * in an inspection alike.
 */
export function stringFields<K extends string>(
  data: unknown,
  keys: readonly K[],
): Record<K, string> {
  const job: Partial<Record<string, unknown>> =
    typeof data === 'object' && data !== null ? data : {};
  return Object.fromEntries(
    keys.map((key) => [key, typeof job[key] === 'string' ? job[key] : '']),
  ) as Record<K, string>;
}

/** How many ids are read from Redis at once. */
const BATCH = 500;

/**
 * The dead-letter queue read in pages: BullMQ's failed set of the deliveries queue (a sorted set
 * scored by when each job failed), newest failure first, with each letter's summary from its
 * hash. Memory is one batch's summaries, never every job.
 */
export function createFailedIndex({ deliveries, redis }: Pick<Engine, 'deliveries' | 'redis'>) {
  // BullMQ's keys: `<prefix>:deliveries:failed` and `<prefix>:deliveries:<job id>`.
  const failedKey = deliveries.toKey('failed');
  const jobKey = (id: string) => deliveries.toKey(id);

  /** Ids with their failure time, newest first, strictly after `after` when given. */
  async function* failedIds(after?: Position): AsyncGenerator<[string, number][]> {
    let max = after === undefined ? '+inf' : String(after.failedAtMs);
    let offset = 0;
    for (;;) {
      const flat = await redis.zrevrangebyscore(
        failedKey,
        max,
        '-inf',
        'WITHSCORES',
        'LIMIT',
        offset,
        BATCH,
      );
      const batch: [string, number][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) batch.push([flat[i] ?? '', Number(flat[i + 1])]);
      const last = batch.at(-1);
      if (last === undefined) return;
      // Ties (same millisecond) come in reverse order of id: those at or before `after` were shown.
      const fresh =
        after === undefined
          ? batch
          : batch.filter(([id, score]) => !(score === after.failedAtMs && id >= after.id));
      if (fresh.length > 0) yield fresh;
      if (batch.length < BATCH) return;
      const lastScore = last[1];
      if (String(lastScore) === max) offset += batch.length;
      else {
        max = String(lastScore);
        offset = batch.filter(([, score]) => score === lastScore).length;
      }
    }
  }

  /** The summaries of these failed jobs (one round trip; a job gone meanwhile is left out). */
  async function summaries(batch: readonly [string, number][]): Promise<Summary[]> {
    const pipeline = redis.pipeline();
    // BullMQ's own fields of a failed job: `failedReason`, and `atm` (attempts made).
    for (const [id] of batch) pipeline.hmget(jobKey(id), SUMMARY_FIELD, 'failedReason', 'atm');
    const replies = (await pipeline.exec()) ?? [];
    const found: Summary[] = [];
    for (const [index, [id, failedAtMs]] of batch.entries()) {
      const [error, fields] = replies[index] ?? [];
      if (error) throw error;
      const [stored, failedReason, attemptsMade] = fields as (string | null)[];
      const kept = stored ? (JSON.parse(stored) as Partial<StoredSummary>) : undefined;
      // One without `recorded` or `readable` (written otherwise) is summarised again: a bulk
      // replay must know both.
      const summary =
        typeof kept?.recorded === 'boolean' && typeof kept.readable === 'boolean'
          ? (kept as StoredSummary)
          : await summarise(id);
      if (summary === undefined) continue;
      found.push({
        id,
        ...summary,
        failedAtMs,
        attempts: Number(attemptsMade ?? 0),
        error: failedReason ?? '',
      });
    }
    return found;
  }

  /** Reads the job's data once, keeps its summary in the job's hash (only while the job exists). */
  async function summarise(id: string): Promise<StoredSummary | undefined> {
    const data = await redis.hget(jobKey(id), 'data');
    if (data === null) return undefined;
    const fields = parsed(data);
    const summary = {
      ...stringFields(fields, SUMMARY_KEYS),
      recorded: isRecorded(fields),
      readable: fields !== undefined,
    };
    // Only if the hash is still there (HSET would otherwise make a stray key of a removed job).
    // The summaries earlier versions wrote go with it.
    await redis.eval(
      "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]); redis.call('HDEL', KEYS[1], unpack(ARGV, 3)) end",
      1,
      jobKey(id),
      SUMMARY_FIELD,
      JSON.stringify(summary),
      ...PREVIOUS_SUMMARY_FIELDS,
    );
    return summary;
  }

  return {
    count: () => deliveries.getFailedCount(),

    /** Every dead letter's summary, newest failure first, a batch at a time. */
    async *scan(after?: Position): AsyncGenerator<Summary[]> {
      for await (const batch of failedIds(after)) yield await summaries(batch);
    },

    /** One dead letter's summary as a listing reads it, from its hash; none if it is not failed. */
    failedSummary: async (id: string): Promise<Summary | undefined> => {
      const failedAtMs = await redis.zscore(failedKey, id);
      if (failedAtMs === null) return undefined;
      return (await summaries([[id, Number(failedAtMs)]]))[0];
    },

    /** The summary of a job as it is now (a retried job's hash loses its failure fields). */
    summaryOf: (job: Job<DeliveryJob>): Summary => ({
      id: job.id ?? '',
      ...stringFields(job.data, SUMMARY_KEYS),
      recorded: isRecorded(job.data),
      // BullMQ read it.
      readable: true,
      failedAtMs: job.finishedOn ?? 0,
      attempts: job.attemptsMade,
      error: job.failedReason,
    }),
  };
}
export type FailedIndex = ReturnType<typeof createFailedIndex>;
