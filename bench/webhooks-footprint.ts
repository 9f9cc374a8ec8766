// `npm run bench:webhooks-footprint`: what the webhooks queue keeps in its Redis per accepted
// event — the figures webhooks/README.md sizes that Redis by and docs/runbooks/webhooks.md quotes:
//   queued    — BENCH_EVENTS Stripe events (~130-byte bodies, one destination) accepted by the
//               service, no worker running: Redis memory (`used_memory`) and AOF bytes per event;
//   delivered — then a worker process delivers them all to a local sink: memory per event once
//               each delivery is done and kept for the duplicate window, AOF bytes per event in all;
//   restart   — Redis stopped and started on that AOF: how long it replays it before it answers
//               (the senders' 503s after a crash), per MB.
// A private redis-server as the service needs it (AOF, appendfsync always), rewrites turned off
// for the run: a rewrite would shrink the file being measured. Appends the table to
// docs/benchmarks.md.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startRedisServer } from '@manifold/platform/testing';
import { nodeArgs } from '../scripts/node-args.ts';
import { REPO_ROOT } from '../test/e2e/support/processes.ts';
import { machine, publish } from './support/report.ts';
import { stripeEvents } from './support/stripe-events.ts';
import { startAcceptingWebhooks, startCountingSink } from './support/webhooks-stack.ts';

/**
 * Events measured (after one that creates the queue's own keys). Many: BullMQ's event stream is
 * capped (10,000 entries), and over a few thousand events its fixed size would count per event.
 */
const EVENTS = Number(process.env['BENCH_EVENTS'] ?? 40_000);
const CONCURRENCY = 50;
const SECRET = 'whsec_footprint';
const PREFIX = '{webhooks}';

const scratch = mkdtempSync(join(tmpdir(), 'bench-webhooks-footprint-'));
const redis = await startRedisServer({ appendOnlyDir: scratch });
let connection = new Redis(redis.url, { maxRetriesPerRequest: null });
await connection.config('SET', 'auto-aof-rewrite-min-size', '64gb');
const infoField = async (section: string, field: string) => {
  const value = new RegExp(`^${field}:(\\d+)`, 'm').exec(await connection.info(section))?.[1];
  if (value === undefined) throw new Error(`Redis INFO ${section} has no ${field}`);
  return Number(value);
};
const footprint = async () => ({
  memory: await infoField('memory', 'used_memory'),
  aof: await infoField('persistence', 'aof_current_size'),
});

const sink = await startCountingSink();
const {
  env: serviceEnv,
  service,
  acceptOne: accept,
} = await startAcceptingWebhooks({
  dir: scratch,
  redisUrl: redis.url,
  sinkUrl: sink.url,
  prefix: PREFIX,
  secret: SECRET,
  nextEvent: stripeEvents(SECRET),
});
const deliveries = new Queue('deliveries', { connection, prefix: PREFIX });
const perEvent = (bytes: number) => Math.round(bytes / EVENTS);

try {
  await accept();
  const before = await footprint();
  for (let i = 0; i < EVENTS; i += CONCURRENCY)
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, EVENTS - i) }, accept));
  const queued = await footprint();

  const worker = spawn(process.execPath, nodeArgs('webhooks/src/worker.ts'), {
    cwd: REPO_ROOT,
    env: { ...process.env, ...serviceEnv },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  while ((await deliveries.getCompletedCount()) < EVENTS + 1)
    await new Promise((resolve) => setTimeout(resolve, 200));
  worker.kill('SIGTERM');
  await once(worker, 'exit');
  await service.stop();
  const delivered = await footprint();
  if (sink.received.count < EVENTS + 1)
    throw new Error(`${EVENTS + 1} deliveries completed, the sink got ${sink.received.count}`);

  // Stopped cleanly (its AOF complete), started again: ready once the AOF is replayed.
  await deliveries.close();
  connection.disconnect();
  await redis.stop();
  const restartedAt = performance.now();
  await redis.start();
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  await once(connection, 'ready'); // ioredis's ready check waits out Redis's loading
  const replaySeconds = (performance.now() - restartedAt) / 1000;
  const aofMegabytes = delivered.aof / 1e6;

  publish('webhooks: Redis kept per event (memory, AOF, replay at restart)', [
    `Command: \`npm run bench:webhooks-footprint\` (${EVENTS} Stripe events of ~130 bytes, one route to one destination, ${CONCURRENCY} at a time). Machine: ${machine()}; Redis 7 private, AOF appendfsync always, no rewrite during the run.`,
    '',
    '| state | Redis memory per event (B) | AOF per event (B) |',
    '|---|---|---|',
    `| queued (accepted, no worker) | ${perEvent(queued.memory - before.memory)} | ${perEvent(queued.aof - before.aof)} |`,
    `| delivered (kept for the duplicate window) | ${perEvent(delivered.memory - before.memory)} | ${perEvent(delivered.aof - before.aof)} (receipt, add and delivery) |`,
    '',
    `Restart: Redis replayed ${aofMegabytes.toFixed(0)} MB of AOF in ${replaySeconds.toFixed(1)} s before it answered (${(replaySeconds / (aofMegabytes / 1000)).toFixed(1)} s per GB).`,
  ]);
} finally {
  await service.stop();
  connection.disconnect();
  await sink.close();
  await redis.stop();
  rmSync(scratch, { recursive: true, force: true });
}
