import { AppError } from '@manifold/platform/errors';
import type { Job } from 'bullmq';
// What the API answers (platform/src/contracts/webhooks-api.ts): the console reads the same shapes.
import type {
  DeadLetter,
  DeadLetterDetail,
  DeadLetterFilter,
  DeadLetterList,
  ReplayOutcome,
} from '@manifold/platform/contracts';
import { attemptsFromLogs } from '../delivery/attempts.ts';
import type { DeliveryJob, Engine } from '../engine/queues.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { createFailedIndex, parsed, stringFields, type Summary } from './failed-index.ts';

const FIRST_SHOWN = 20;

/**
 * 1 when a job's data has `replayedAt` (a recorded request replayed once), else 0: looked for in
 * Redis, so a bulk replay never loads the payloads (up to the body limit each). JSON.stringify
 * writes an object's keys with bare quotes and escapes every quote inside a string value: the
 * payload and the headers, strings all, cannot contain the key as written here.
 */
const REPLAYED = `local data = redis.call('HGET', KEYS[1], 'data')
if data and string.find(data, '"replayedAt":', 1, true) then return 1 end
return 0`;

/**
 * Marks a recorded request replayed (1), in one step, unless its data says it was (0) or it is
 * gone (-1): of two replays that both read the letter before either marked it, one goes. The mark
 * goes into the data as stored, its other bytes untouched, where the worker (which clears it when
 * nothing was sent) and REPLAYED look for it. A recorded request's data is a JSON object.
 */
const MARK_REPLAYED = `local data = redis.call('HGET', KEYS[1], 'data')
if not data or string.sub(data, 1, 1) ~= '{' then return -1 end
if string.find(data, '"replayedAt":', 1, true) then return 0 end
local mark = '"replayedAt":' .. cjson.encode(ARGV[1])
if data == '{}' then data = '{' .. mark .. '}' else data = '{' .. mark .. ',' .. string.sub(data, 2) end
redis.call('HSET', KEYS[1], 'data', data)
return 1`;

/** A dead letter as listed: its summary, with the failure time as ISO 8601. */
const letter = ({ failedAtMs, readable: _, ...summary }: Summary): DeadLetter => ({
  ...summary,
  ...(failedAtMs > 0 && { failedAt: new Date(failedAtMs).toISOString() }),
});

const isEmpty = (filter: DeadLetterFilter) => Object.values(filter).every((v) => v === undefined);

function matcher(filter: DeadLetterFilter): (summary: Summary) => boolean {
  const from = filter.from === undefined ? undefined : Date.parse(filter.from);
  const to = filter.to === undefined ? undefined : Date.parse(filter.to);
  return (summary) => {
    // A letter without a time received (a job in another shape) is outside every time range,
    // and matched by any filter without one.
    const received = Date.parse(summary.receivedAt);
    return (
      (filter.source === undefined || summary.source === filter.source) &&
      (filter.eventType === undefined || summary.eventType === filter.eventType) &&
      (filter.destination === undefined || summary.destination === filter.destination) &&
      (from === undefined || received >= from) &&
      (to === undefined || received < to) &&
      (filter.error === undefined || summary.error.includes(filter.error))
    );
  };
}

/** Oldest event first: a replay re-sends in the order the events happened (none known: first). */
const receivedMs = ({ receivedAt }: Summary) => Date.parse(receivedAt) || 0;
const sendingOrder = (a: Summary, b: Summary) =>
  receivedMs(a) - receivedMs(b) || a.failedAtMs - b.failedAtMs;

/**
 * A job as read, its data an object even when it was written otherwise (null, by another build or
 * service into the same queue): such a letter is inspected and replayed like any other.
 */
function withObjectData(job: Job<DeliveryJob> | undefined): Job<DeliveryJob> | undefined {
  const data: unknown = job?.data;
  if (job && (typeof data !== 'object' || data === null)) job.data = {} as DeliveryJob;
  return job;
}

/**
 * BullMQ parses a job's data whenever it reads the job (a worker too): a job whose stored data is
 * not JSON — written by another build or service into the queue — cannot be read. Such a letter is
 * listed and inspected from its hash (its payload the data as stored) and never replayed: no
 * worker could take it. (A job BullMQ cannot read for another reason, its options say, is not
 * one: that stays an error.)
 */
class UnreadableLetter extends Error {
  override name = 'UnreadableLetter';
  /** The data as stored, read to tell: shown as the letter's payload without reading it again. */
  readonly data: string;
  constructor(id: string, data: string, options: ErrorOptions) {
    super(`Dead letter ${id}'s stored data is not JSON`, options);
    this.data = data;
  }
}

/** A recorded upstream request (not safe to repeat) is replayed once: a second replay is refused. */
function alreadyReplayed(job: Job<DeliveryJob> | undefined) {
  if (job?.data.replayedAt !== undefined)
    throw new AppError(
      'ALREADY_REPLAYED',
      `Dead letter ${job.id} was replayed at ${job.data.replayedAt}`,
    );
}

/**
 * The dead-letter queue: deliveries that failed for good are BullMQ's failed jobs of the
 * deliveries queue, kept with their data and their log (one line per attempt). Listings and
 * filters read each letter's summary (failed-index.ts), never its payload; only inspecting and
 * replaying one loads its job. A replay moves a job back to the queue under the same id — the
 * same Idempotency-Key — with a fresh schedule.
 */
export function createDeadLetters(engine: Pick<Engine, 'deliveries' | 'redis'>) {
  const { deliveries } = engine;
  const index = createFailedIndex(engine);

  const dataOf = (id: string) => engine.redis.hget(deliveries.toKey(id), 'data');
  /** The job (its data an object), none if it is gone, or throws UnreadableLetter. */
  const read = async (id: string) => {
    try {
      return withObjectData(await deliveries.getJob(id));
    } catch (error) {
      const data = error instanceof SyntaxError ? await dataOf(id) : null;
      if (data !== null && parsed(data) === undefined)
        throw new UnreadableLetter(id, data, { cause: error });
      throw error;
    }
  };
  async function failed(job: Job<DeliveryJob> | undefined, id: string) {
    if (!job || !(await job.isFailed())) throw new AppError('NOT_FOUND', `No dead letter ${id}`);
    return job;
  }
  const failedJob = async (id: string) => failed(await read(id), id);

  /** A letter BullMQ cannot read (UnreadableLetter), as it is listed, with its data as stored. */
  const unreadableLetter = async (
    id: string,
    { data }: UnreadableLetter,
  ): Promise<DeadLetterDetail> => {
    const [summary, { logs }] = await Promise.all([
      index.failedSummary(id),
      deliveries.getJobLogs(id, 0, -1),
    ]);
    if (!summary) throw new AppError('NOT_FOUND', `No dead letter ${id}`);
    return {
      ...letter(summary),
      contentType: '',
      payload: data,
      history: attemptsFromLogs(logs),
    };
  };

  const replayJob = async (job: Job<DeliveryJob>) => {
    // A recorded upstream request (not safe to repeat) is sent again once, never twice: marked in
    // Redis in one step, as the job read here may be older than another replay's mark.
    if (job.data.upstreamRequest) {
      alreadyReplayed(job);
      const id = job.id ?? '';
      const marked = await engine.redis.eval(
        MARK_REPLAYED,
        1,
        deliveries.toKey(id),
        new Date().toISOString(),
      );
      if (marked === -1) throw new AppError('NOT_FOUND', `No dead letter ${id}`);
      if (marked !== 1)
        throw new AppError('ALREADY_REPLAYED', `Dead letter ${id} was replayed meanwhile`);
    }
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  };

  return {
    count: index.count,

    /** One page, newest failure first; `total` counts every match (summaries only). */
    list: async (
      filter: DeadLetterFilter,
      { limit = 100, cursor }: { limit?: number; cursor?: string | undefined } = {},
    ): Promise<DeadLetterList> => {
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      const matches = matcher(filter);
      const items: Summary[] = [];
      let more = false;
      let matchedAfter = 0;
      const unfiltered = isEmpty(filter);
      scan: for await (const batch of index.scan(after))
        for (const summary of batch) {
          if (!matches(summary)) continue;
          matchedAfter++;
          if (items.length < limit) items.push(summary);
          else {
            more = true;
            // Unfiltered, the total is known without reading the rest.
            if (unfiltered) break scan;
          }
        }
      const last = items.at(-1);
      // Unfiltered, the count is the failed set's size (O(1)); filtered, the letters before the
      // cursor were matched by an earlier page, so they are counted again only when needed.
      let total = matchedAfter;
      if (unfiltered) total = await index.count();
      else if (after !== undefined) total = await countMatching(filter);
      return {
        total,
        items: items.map(letter),
        ...(more && last ? { nextCursor: encodeCursor(last) } : {}),
      };
    },

    get: async (id: string): Promise<DeadLetterDetail> => {
      let job: Job<DeliveryJob>;
      try {
        job = await failedJob(id);
      } catch (error) {
        if (error instanceof UnreadableLetter) return unreadableLetter(id, error);
        throw error;
      }
      const { logs } = await deliveries.getJobLogs(id, 0, -1);
      // A job in another shape is shown as it is listed: what it holds, or nothing.
      const { contentType, body } = stringFields(job.data, ['contentType', 'body']);
      return {
        ...letter(index.summaryOf(job)),
        contentType,
        payload: body,
        history: attemptsFromLogs(logs),
      };
    },

    // What was replayed is told as it was: a retry clears the job's failure (BullMQ sets
    // failedReason and finishedOn to null), so the summary is taken first.
    replay: async (id: string): Promise<DeadLetter> => {
      // Refused as such even once its replay succeeded (the job is no longer failed then).
      const found = await read(id).catch(async (error: unknown) => {
        if (!(error instanceof UnreadableLetter)) throw error;
        if (!(await index.failedSummary(id)))
          throw new AppError('NOT_FOUND', `No dead letter ${id}`);
        throw new AppError(
          'DEAD_LETTER_UNREADABLE',
          `Dead letter ${id}'s stored data is not JSON: there is nothing to send`,
        );
      });
      alreadyReplayed(found);
      const job = await failed(found, id);
      const replayed = letter(index.summaryOf(job));
      await replayJob(job);
      return replayed;
    },

    /**
     * Every match, oldest event first, but those a bulk replay holds back (sendable). Holds the
     * matches' summaries (a few hundred bytes each), then loads and re-queues one job at a time:
     * memory does not grow with the payloads.
     */
    replayMatching: async (
      filter: DeadLetterFilter,
      { dryRun }: { dryRun: boolean },
    ): Promise<ReplayOutcome> => {
      const matches = matcher(filter);
      const toSend: Summary[] = [];
      let matched = 0;
      for await (const batch of index.scan()) {
        const found = batch.filter(matches);
        matched += found.length;
        toSend.push(...(await sendable(found, filter)));
      }
      toSend.sort(sendingOrder);
      const first = toSend.slice(0, FIRST_SHOWN).map(letter);
      let replayed = 0;
      if (!dryRun)
        for (const { id } of toSend) {
          // Not readable (UnreadableLetter): nothing to send, it stays for review.
          const job = await read(id).catch((error: unknown) => {
            if (error instanceof UnreadableLetter) return undefined;
            throw error;
          });
          if (!job) continue; // removed meanwhile, or not readable
          if (job.data.replayedAt !== undefined) continue; // replayed meanwhile by someone else
          try {
            await replayJob(job);
            replayed++;
          } catch (error) {
            // Replayed meanwhile by someone else (marked, or no longer failed): not ours to count.
            if (error instanceof AppError && error.code === 'ALREADY_REPLAYED') continue;
            if (!(await job.isFailed().catch(() => false))) continue;
            throw error;
          }
        }
      return { dryRun, matched, replayed, held: matched - toSend.length, first };
    },
  };

  /**
   * These matches but the ones a bulk replay holds back: a letter whose data is not JSON (nothing
   * could send it, UnreadableLetter: a dry run must not count it as going); a recorded upstream
   * request (a supplier order, a legacy write: not safe to repeat) unless the filter names its
   * source — a "replay all" aimed at webhooks must not resend orders nobody reviewed — and never
   * once it was replayed (its data says so: the summary does not change; read by Redis, not
   * loaded here).
   */
  async function sendable(found: Summary[], filter: DeadLetterFilter): Promise<Summary[]> {
    const named = found.filter((s) => s.readable && (!s.recorded || s.source === filter.source));
    const recorded = named.filter((s) => s.recorded);
    if (recorded.length === 0) return named;
    const pipeline = engine.redis.pipeline();
    for (const { id } of recorded) pipeline.eval(REPLAYED, 1, deliveries.toKey(id));
    const replies = (await pipeline.exec()) ?? [];
    const replayedIds = new Set(recorded.filter((_, i) => replies[i]?.[1] === 1).map((s) => s.id));
    return named.filter(({ id }) => !replayedIds.has(id));
  }

  async function countMatching(filter: DeadLetterFilter): Promise<number> {
    const matches = matcher(filter);
    let count = 0;
    for await (const batch of index.scan()) for (const s of batch) if (matches(s)) count++;
    return count;
  }
}
export type DeadLetters = ReturnType<typeof createDeadLetters>;
