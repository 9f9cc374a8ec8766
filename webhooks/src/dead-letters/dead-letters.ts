import { AppError } from '@manifold/platform/errors';
import type { Job, Queue } from 'bullmq';
import { z } from 'zod';
import { attemptsFromLogs, type Attempt } from '../delivery/attempts.ts';
import type { DeliveryJob } from '../engine/queues.ts';

/** Which dead letters: every field optional, all given ones must match. */
export const DeadLetterFilter = z.object({
  source: z.string().min(1).optional(),
  eventType: z.string().min(1).optional(),
  destination: z.string().min(1).optional(),
  /** Received at or after (ISO 8601). */
  from: z.iso.datetime({ offset: true }).optional(),
  /** Received before (ISO 8601). */
  to: z.iso.datetime({ offset: true }).optional(),
  /** Part of the last error, e.g. `HTTP 503` or `timed out`. */
  error: z.string().min(1).optional(),
});
export type DeadLetterFilter = z.infer<typeof DeadLetterFilter>;

export interface DeadLetter {
  id: string;
  source: string;
  eventId: string;
  eventType: string;
  destination: string;
  idempotencyKey: string;
  receivedAt: string;
  failedAt: string | undefined;
  attempts: number;
  error: string;
}

export interface DeadLetterDetail extends DeadLetter {
  contentType: string;
  payload: string;
  history: Attempt[];
}

export interface ReplayOutcome {
  dryRun: boolean;
  /** How many dead letters the filter matched. */
  matched: number;
  /** How many went back to the queue (0 in a dry run). */
  replayed: number;
  /** The first ones to be sent (oldest received first), at most 20. */
  first: DeadLetter[];
}

const summary = (job: Job<DeliveryJob>): DeadLetter => ({
  id: job.id ?? '',
  source: job.data.source,
  eventId: job.data.eventId,
  eventType: job.data.eventType,
  destination: job.data.destination,
  idempotencyKey: job.data.idempotencyKey,
  receivedAt: job.data.receivedAt,
  failedAt: job.finishedOn === undefined ? undefined : new Date(job.finishedOn).toISOString(),
  attempts: job.attemptsMade,
  error: job.failedReason,
});

function matches(letter: DeadLetter, filter: DeadLetterFilter): boolean {
  const received = Date.parse(letter.receivedAt);
  return (
    (filter.source === undefined || letter.source === filter.source) &&
    (filter.eventType === undefined || letter.eventType === filter.eventType) &&
    (filter.destination === undefined || letter.destination === filter.destination) &&
    (filter.from === undefined || received >= Date.parse(filter.from)) &&
    (filter.to === undefined || received < Date.parse(filter.to)) &&
    (filter.error === undefined || letter.error.includes(filter.error))
  );
}

const PAGE = 1_000;

/**
 * The dead-letter queue: deliveries that failed for good are BullMQ's failed jobs of the
 * deliveries queue, kept with their data and their log (one line per attempt). A replay moves a
 * job back to the queue under the same id — the same Idempotency-Key — with a fresh schedule.
 */
export function createDeadLetters(deliveries: Queue<DeliveryJob>) {
  async function* failedJobs(): AsyncGenerator<Job<DeliveryJob>> {
    for (let start = 0; ; start += PAGE) {
      const page = await deliveries.getFailed(start, start + PAGE - 1);
      yield* page;
      if (page.length < PAGE) return;
    }
  }

  async function matching(filter: DeadLetterFilter): Promise<Job<DeliveryJob>[]> {
    const found: Job<DeliveryJob>[] = [];
    for await (const job of failedJobs()) if (matches(summary(job), filter)) found.push(job);
    // Oldest event first: a replay re-sends in the order the events happened.
    return found.sort(
      (a, b) =>
        Date.parse(a.data.receivedAt) - Date.parse(b.data.receivedAt) || a.timestamp - b.timestamp,
    );
  }

  async function failedJob(id: string): Promise<Job<DeliveryJob>> {
    const job = await deliveries.getJob(id);
    if (!job || !(await job.isFailed())) throw new AppError('NOT_FOUND', `No dead letter ${id}`);
    return job;
  }

  const replayJob = async (job: Job<DeliveryJob>) => {
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  };

  return {
    count: () => deliveries.getFailedCount(),

    list: async (
      filter: DeadLetterFilter,
      limit = 100,
    ): Promise<{ total: number; items: DeadLetter[] }> => {
      const found = await matching(filter);
      return { total: found.length, items: found.slice(0, limit).map(summary) };
    },

    get: async (id: string): Promise<DeadLetterDetail> => {
      const job = await failedJob(id);
      const { logs } = await deliveries.getJobLogs(id, 0, -1);
      return {
        ...summary(job),
        contentType: job.data.contentType,
        payload: job.data.body,
        history: attemptsFromLogs(logs),
      };
    },

    // What was replayed is told as it was: a retry clears the job's failure (BullMQ sets
    // failedReason and finishedOn to null), so the summary is taken first.
    replay: async (id: string): Promise<DeadLetter> => {
      const job = await failedJob(id);
      const letter = summary(job);
      await replayJob(job);
      return letter;
    },

    replayMatching: async (
      filter: DeadLetterFilter,
      { dryRun }: { dryRun: boolean },
    ): Promise<ReplayOutcome> => {
      const found = await matching(filter);
      const first = found.slice(0, 20).map(summary);
      let replayed = 0;
      if (!dryRun)
        for (const job of found) {
          try {
            await replayJob(job);
            replayed++;
          } catch (error) {
            // Replayed meanwhile by someone else (no longer failed): not ours to count.
            if (!(await job.isFailed().catch(() => false))) continue;
            throw error;
          }
        }
      return { dryRun, matched: found.length, replayed, first };
    },
  };
}
export type DeadLetters = ReturnType<typeof createDeadLetters>;
