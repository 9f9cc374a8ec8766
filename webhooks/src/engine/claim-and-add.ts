import { Job, type Queue, type RedisClient } from 'bullmq';
// BullMQ's own add script, the one `Job.addJob` runs for a job neither delayed, prioritised nor
// a parent's: this build runs it inside its own (below). Its text and its arguments come from the
// same package, which is pinned to one version (package.json) for that reason. The text is taken
// from the ESM build (it has types), while Node loads BullMQ's CommonJS build: the start-up check
// compares the two texts (checkClaimAndAdd).
import { addStandardJob } from 'bullmq/dist/esm/scripts/addStandardJob-9.js';
import type { QueueRedis } from '@manifold/platform/dead-letters';

/** One delivery to add: its job, and the ordering line it joins first, if any. */
export interface DeliveryToAdd {
  job: Job;
  line?: { key: string; score: number } | undefined;
}

/** The receipt to claim: its key, the content hash it keeps, for how long. */
export interface ReceiptClaim {
  key: string;
  contentHash: string;
  keepSeconds: number;
}

const QUEUE_KEYS = addStandardJob.keys;
/**
 * Per delivery: BullMQ's three arguments, its line (1-based among the lines' keys, 0: none), its
 * score there, its job id, its job's key.
 */
const ARGS_PER_DELIVERY = 7;

/**
 * The event's receipt claimed (`SET NX GET`, kept for the duplicate window) and, only when it was
 * not kept already, each delivery put in its ordering line (`ZADD NX`; not one whose job is kept
 * still — delivered, after the receipt expired: back in line it would wait for nothing) and added
 * with BullMQ's add script (a job id kept adds nothing), all in one script: one Redis round trip per event instead of two, each answered after
 * its fsync (appendfsync always). Measured (docs/benchmarks.md): a sender that waits for each ack
 * got it in 0.6 ms at the median instead of 0.95–1.29 ms; at 50 senders on two cores, no change
 * (the cores were full). One step also means no receipt without its deliveries, unless the script
 * fails part-way (Redis does not undo what it wrote; the sender's retry then adds what is missing,
 * fan-out.ts). Redis writes a script's effects to its AOF as one transaction. Every key is under
 * the queue's prefix (`{webhooks}` by default: one Redis Cluster slot).
 *
 * KEYS: the receipt; BullMQ's keys for an add (the same for every job of the queue); the lines.
 * ARGV: the content hash, the seconds kept; then ARGS_PER_DELIVERY per delivery.
 * Answers the hash an earlier request kept (nothing added), or nothing (claimed, all added).
 */
const LUA = `
local kept = redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2], 'NX', 'GET')
if kept then return kept end
local function addStandardJob(KEYS, ARGV)
${addStandardJob.content}
end
local queueKeys = {}
for i = 1, ${QUEUE_KEYS} do queueKeys[i] = KEYS[i + 1] end
for i = 3, #ARGV, ${ARGS_PER_DELIVERY} do
  local line = tonumber(ARGV[i + 3])
  if line > 0 and redis.call('EXISTS', ARGV[i + 6]) == 0 then
    redis.call('ZADD', KEYS[${QUEUE_KEYS + 1} + line], 'NX', ARGV[i + 4], ARGV[i + 5])
  end
  local added = addStandardJob(queueKeys, { ARGV[i], ARGV[i + 1], ARGV[i + 2] })
  if type(added) == 'number' and added < 0 then
    return redis.error_reply('BullMQ add refused: ' .. added)
  end
end
return false
`;

const COMMAND = 'manifoldClaimAndAdd';
type Argument = string | Buffer;
type ClaimAndAddCommand = (
  numberOfKeys: number,
  ...keysAndArgs: Argument[]
) => Promise<string | null>;

/**
 * The keys and arguments BullMQ sends to add `job` (recorded, not sent), checked to be those of
 * the add script this one runs; a BullMQ that adds otherwise (another script or argument layout:
 * an upgrade) throws, with a message that says so, rather than have jobs added wrongly.
 */
async function bullmqAdd(
  job: Job,
): Promise<{ command: string; keys: Argument[]; args: Argument[] }> {
  const sent: { command: string; keysAndArgs: Argument[] }[] = [];
  const recorder = {
    runCommand: (command: string, keysAndArgs: Argument[]) => {
      sent.push({ command, keysAndArgs });
      return Promise.resolve(job.id);
    },
  };
  const expected = `${addStandardJob.name}:<version>, ${String(QUEUE_KEYS + 3)} keys and arguments`;
  const unexpected = (what: string) =>
    new Error(
      `BullMQ adds a job ${what}, not with ${expected} as this build's claim-and-add expects: install the BullMQ version package.json names`,
    );
  try {
    await job.addJob(recorder as unknown as RedisClient);
  } catch (error) {
    throw unexpected(`otherwise (${error instanceof Error ? error.message : String(error)})`);
  }
  const [only, ...more] = sent;
  if (only === undefined || more.length > 0)
    throw unexpected(`with ${String(sent.length)} commands`);
  if (
    !only.command.startsWith(`${addStandardJob.name}:`) ||
    only.keysAndArgs.length !== QUEUE_KEYS + 3
  )
    throw unexpected(`with ${only.command}, ${String(only.keysAndArgs.length)} keys and arguments`);
  return {
    command: only.command,
    keys: only.keysAndArgs.slice(0, QUEUE_KEYS),
    args: only.keysAndArgs.slice(QUEUE_KEYS),
  };
}

/** The script text BullMQ defined on its connection under `command` (ioredis keeps it there). */
async function definedScript(queue: Queue, command: string): Promise<string | undefined> {
  const client = (await queue.backend.client) as unknown as {
    scriptsSet?: Record<string, { lua?: string } | undefined>;
  };
  return client.scriptsSet?.[command]?.lua;
}

/**
 * Throws unless claimAndAdd can add a delivery of `queue` on `redis`: BullMQ still adds it as
 * expected (bullmqAdd), with the very script text this one runs (the ESM build's, compared with
 * the one BullMQ loaded, from its CommonJS build), and Redis compiles the script (loaded now; a
 * BullMQ script that does not compile inside ours fails here). Checked at start, so that the
 * service stops there rather than refuse every event.
 */
export async function checkClaimAndAdd(redis: QueueRedis, queue: Queue): Promise<void> {
  const { command } = await bullmqAdd(
    new Job(queue, 'deliver', {}, { jobId: 'start-up-check' }, 'start-up-check'),
  );
  if ((await definedScript(queue, command)) !== addStandardJob.content)
    throw new Error(
      `BullMQ's ${command}, as it runs it, is not the text this build's claim-and-add runs (taken from bullmq/dist/esm/scripts/addStandardJob-9.js): install the BullMQ version package.json names`,
    );
  await redis.script('LOAD', LUA);
}

/**
 * `claimAndAdd(receipt, deliveries)` on `redis`, the connection the jobs' queue adds on. Each job's
 * keys and arguments are the ones BullMQ builds for its own add (bullmqAdd).
 */
export function createClaimAndAdd(redis: QueueRedis) {
  redis.defineCommand(COMMAND, { lua: LUA });
  const run = (redis as unknown as Record<typeof COMMAND, ClaimAndAddCommand>)[COMMAND].bind(redis);
  return async (
    receipt: ReceiptClaim,
    deliveries: readonly DeliveryToAdd[],
  ): Promise<string | null> => {
    const lines: string[] = [];
    const argv: Argument[] = [receipt.contentHash, String(receipt.keepSeconds)];
    let queueKeys: Argument[] = [];
    for (const { job, line } of deliveries) {
      const { keys, args } = await bullmqAdd(job);
      // The queue's keys: the same for every job of the queue.
      queueKeys = keys;
      if (line !== undefined) lines.push(line.key);
      argv.push(
        ...args,
        String(line === undefined ? 0 : lines.length),
        String(line?.score ?? 0),
        String(job.id),
        `${job.queueQualifiedName}:${String(job.id)}`,
      );
    }
    // No delivery (no route): the receipt alone.
    const keys = [receipt.key, ...queueKeys, ...lines];
    return run(keys.length, ...keys, ...argv);
  };
}
export type ClaimAndAdd = ReturnType<typeof createClaimAndAdd>;
