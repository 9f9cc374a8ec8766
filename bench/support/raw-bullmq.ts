// BullMQ doing nothing but its own work — the ceiling bench:webhooks compares the service with —
// in a process of its own, so that the bench can pin it where it pins the service (a Node process
// on the same core, talking to the same Redis). Prints its result as one line of JSON.
//   node raw-bullmq.ts add <redis url> <prefix> <queue> <concurrency> <duration ms> <warm-up ms>
//     Queue.add of event-sized jobs by <concurrency> async callers → LoadResult
//   node raw-bullmq.ts process <redis url> <prefix> <queue> <concurrency> <count> <warm-up count>
//     a Worker completing <warm-up count> + <count> no-op jobs already queued; the clock runs
//     for the last <count> → { seconds }
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { runLoad } from './load.ts';

const [mode, url, prefix, name, concurrencyArg, ...rest] = process.argv.slice(2);
if (url === undefined || prefix === undefined || name === undefined)
  throw new Error('usage: raw-bullmq.ts add|process <redis url> <prefix> <queue> …');
const concurrency = Number(concurrencyArg);
const connection = new Redis(url, { maxRetriesPerRequest: null });

/** A job the size of a signed Stripe event as the service stores it (body and signature header). */
const eventSizedJob = (sequence: number) => ({
  body: JSON.stringify({
    id: `evt_${sequence}_${randomUUID()}`,
    object: 'event',
    type: 'invoice.paid',
    data: { object: { amount: 4200 } },
  }),
  headers: {
    'content-type': 'application/json',
    'stripe-signature': `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`,
  },
});

if (mode === 'add') {
  const [durationMs, warmupMs] = rest.map(Number);
  const queue = new Queue(name, { connection, prefix });
  let sequence = 0;
  const result = await runLoad(
    async () => {
      await queue.add('event', eventSizedJob(sequence++), {
        jobId: randomUUID(),
        removeOnComplete: true,
      });
    },
    { concurrency, durationMs: durationMs ?? 10_000, warmupMs: warmupMs ?? 0 },
  );
  await queue.close();
  // `calls`: every add, warm-up included (what Redis's CPU over the whole run is divided by).
  process.stdout.write(`${JSON.stringify({ ...result, calls: sequence })}\n`);
} else if (mode === 'process') {
  const [count = 0, warmup = 0] = rest.map(Number);
  let processed = 0;
  let started = 0;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const worker = new Worker(
    name,
    () => {
      // The clock starts once the warm-up is done, not with loading this process.
      if (++processed === warmup) started = performance.now();
      if (processed === warmup + count) finished();
      return Promise.resolve();
    },
    { connection, prefix, concurrency, autorun: false },
  );
  await worker.waitUntilReady();
  if (warmup === 0) started = performance.now();
  void worker.run();
  await done;
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  process.stdout.write(`${JSON.stringify({ seconds })}\n`);
} else throw new Error(`unknown mode ${String(mode)}`);
connection.disconnect();
