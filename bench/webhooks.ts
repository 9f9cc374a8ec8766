// `npm run bench:webhooks`: the webhooks service against its engine's own ceiling, side by side in
// one run on the same Redis (a private redis-server, AOF with fsync on every write, as required),
// in BENCH_ROUNDS rounds (3) that run the two sides in turn, the targets judged on the median:
//   ingest   — signed Stripe events POSTed by 50 concurrent senders (wrk, 50 connections, each
//              request a distinct event signed beforehand) to the service (verify + durable
//              persist + 2xx) vs BullMQ's raw `Queue.add` by 50 concurrent callers;
//   delivery — N stored events' deliveries (fanned out at receipt) POSTed to a local sink by a worker process vs
//              BullMQ's raw Worker processing N no-op jobs (both concurrency 50).
// Placement: the process under test — the service, its worker, or the raw BullMQ client
// (bench/support/raw-bullmq.ts: a Node process like the service, so that BullMQ's own client
// costs count on the raw side as ours do) — on CPU 0; wrk and the sink on CPU 1; Redis where the
// scheduler puts it, unless BENCH_REDIS_CPU pins it (pinned to either core, runs here were
// slower for both sides; unpinned, the rates vary from run to run on this shared machine).
// The senders are wrk (C), not Node's fetch: fetch costs the load generator more CPU per request
// than the service spends answering it, so on its one core it, not the service, set the rate.
// Appends the table to docs/benchmarks.md.
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { startRedisServer } from '@manifold/platform/testing';
import { nodeArgs } from '../scripts/node-args.ts';
import { REPO_ROOT } from '../test/e2e/support/processes.ts';
import type { LoadResult } from './support/load.ts';
import { pinnedTo, pinTo } from './support/pin.ts';
import { processCpuMs } from './support/process-cpu.ts';
import { machine, publish, targetTable, type Check } from './support/report.ts';
import { median } from './support/rounds.ts';
import { stripeEvents } from './support/stripe-events.ts';
import { startAcceptingWebhooks, startCountingSink } from './support/webhooks-stack.ts';
import { requireWrk, runWrk } from './support/wrk.ts';

/** Rounds of each comparison, the two sides in turn; the targets are judged on the median. */
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
/** One side's ingest run, per round. */
const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 5_000);
const WARMUP_MS = Math.min(3_000, DURATION_MS);
/**
 * Deliveries each side makes on the clock, per round. 5,000 was about one second of ours and half
 * a second of the raw worker's: whether one of Redis's AOF rewrites (a fork, then a child writing
 * the dataset on these two cores) fell inside a side's window decided its round, and with the
 * same sequence of writes every run it fell in the same round (ours at 3,600–4,400/s in the third
 * of three rounds in 9 of 20 runs, 5,000–6,400/s otherwise). Over 20,000 each side pays the
 * rewrites its own writes cause, and a run's rounds agree: 72.5 · 69.7 · 73.6 % in the first such
 * run, 51.5 · 50.3 · 53.9 % in the next (the raw worker's rate differs most between runs).
 */
const DELIVERIES = Number(process.env['BENCH_DELIVERIES'] ?? 20_000);
/**
 * Deliveries each side makes before its clock starts, as the ingest warms each side up: a worker
 * process starts cold, and its first thousands of jobs ran interpreted code and loaded modules
 * while the clock ran (profiled: the measured rate rose from ~42 % to ~46 % of the raw worker's
 * between 5,000 and 20,000 deliveries per round).
 */
const DELIVERY_WARMUP = Number(process.env['BENCH_DELIVERY_WARMUP'] ?? 3_000);
/**
 * Senders (and raw callers, and worker concurrency) at once: the targets' 50 by default. Fewer
 * (BENCH_CONCURRENCY=1) shows what a round trip costs an ack when nothing queues behind it: the
 * targets' table then says it is not their setting.
 */
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 50);
const SERVICE_CPU = '0';
const LOAD_CPU = '1';
const SECRET = 'whsec_bench';
/** Events signed ahead per second of a wrk run: more than the service or the raw engine reach here. */
const SIGNED_PER_SECOND = Number(process.env['BENCH_SIGNED_PER_SECOND'] ?? 20_000);
requireWrk();
execFileSync('taskset', ['-a', '-pc', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });

const scratch = mkdtempSync(join(tmpdir(), 'bench-webhooks-'));
const redis = await startRedisServer({ appendOnlyDir: scratch });
/**
 * BENCH_ACK_REPLICAS=1: a replica of the bench's Redis (on these same two cores), and the service
 * run with WEBHOOKS_ACK_REPLICAS=1 — what waiting for a replica before each 202 costs. The raw
 * side does not wait: the ratio then shows that cost, not the target's setting. Each replica is in
 * sync once started (startRedisServer).
 */
const ACK_REPLICAS = Number(process.env['BENCH_ACK_REPLICAS'] ?? 0);
const replicas = await Promise.all(
  Array.from({ length: ACK_REPLICAS }, (_, index) =>
    startRedisServer({
      appendOnlyDir: mkdtempSync(join(scratch, `replica-${String(index)}-`)),
      replicaOf: redis.url,
    }),
  ),
);
const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
/**
 * Redis's `auto-aof-rewrite-min-size` for the run (BENCH_AOF_REWRITE_MIN_SIZE, e.g. `4gb`); unset,
 * Redis's own (64mb). Each side's queue is emptied after its run, so with the default a rewrite (a
 * fork, then a child writing the dataset on these two cores) comes every 64 MB of AOF — every few
 * seconds of ingest — and decides the tail of the round it falls in: set it to see a run without.
 */
const AOF_REWRITE_MIN_SIZE = process.env['BENCH_AOF_REWRITE_MIN_SIZE'] || undefined;
if (AOF_REWRITE_MIN_SIZE !== undefined)
  await connection.config('SET', 'auto-aof-rewrite-min-size', AOF_REWRITE_MIN_SIZE);
const redisPid = /^process_id:(\d+)/m.exec(await connection.info('server'))?.[1];
if (redisPid === undefined) throw new Error('Redis did not say its process id');
/** Where Redis runs: BENCH_REDIS_CPU (a CPU list), `any` for the scheduler's choice. */
const REDIS_CPU = process.env['BENCH_REDIS_CPU'] ?? 'any';
if (REDIS_CPU !== 'any')
  execFileSync('taskset', ['-a', '-pc', REDIS_CPU, redisPid], { stdio: 'ignore' });
const redisCpuMs = () => processCpuMs(Number(redisPid));
/**
 * The reads Redis has made from its clients' sockets so far: per command, how many commands each
 * read brought (what arrives together is run, written to the AOF and fsync'd together).
 */
const redisReads = async () =>
  Number(/^total_reads_processed:(\d+)/m.exec(await connection.info('stats'))?.[1] ?? NaN);

/** Runs bench/support/raw-bullmq.ts on the service's core and reads the JSON line it prints. */
const rawBullmq = async <T>(args: string[]): Promise<T> => {
  const [command, commandArgs] = pinnedTo(SERVICE_CPU, [
    process.execPath,
    join(REPO_ROOT, 'bench/support/raw-bullmq.ts'),
    ...args,
  ]);
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`raw-bullmq.ts ${args[0] ?? ''} exited with ${String(code)}`);
  return JSON.parse(output) as T;
};

const sink = await startCountingSink();
const prefix = `{bench-${randomUUID()}}`;
const signedEvent = stripeEvents(SECRET);
const {
  env: serviceEnv,
  service,
  acceptOne: ingestOne,
} = await startAcceptingWebhooks({
  dir: scratch,
  redisUrl: redis.url,
  sinkUrl: sink.url,
  prefix,
  secret: SECRET,
  nextEvent: signedEvent,
  env: {
    WEBHOOKS_CONCURRENCY: String(CONCURRENCY),
    WEBHOOKS_ACK_REPLICAS: String(ACK_REPLICAS),
  },
  // e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`: a profile of the service's ingest.
  serviceNodeOptions: process.env['BENCH_SERVICE_NODE_OPTIONS'],
  wrapCommand: pinTo(SERVICE_CPU),
});

/** bench/support/http-floor.ts on the service's core: the HTTP part of an ingest, and nothing else. */
const [floorCommand, floorArgs] = pinnedTo(SERVICE_CPU, [
  process.execPath,
  join(REPO_ROOT, 'bench/support/http-floor.ts'),
]);
const httpFloor = spawn(floorCommand, floorArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
const [floorLine] = (await once(httpFloor.stdout, 'data')) as [Buffer];
const floorUrl = `http://127.0.0.1:${(JSON.parse(floorLine.toString()) as { port: number }).port}/hooks/stripe`;

/**
 * `count` distinct signed events, one a line (`signature<TAB>body`), for wrk to send in order: a
 * sender's signature is computed by the sender, not by the load generator's clock in the loop.
 */
const signedEventsFile = async (name: string, count: number) => {
  const path = join(scratch, name);
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    const { body, headers } = signedEvent();
    if (!out.write(`${headers['stripe-signature']}\t${body}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return path;
};
/** wrk, 50 connections, each request the next line of `path` (a run longer than the file fails below). */
const wrkIngest = (path: string, durationMs: number, url = `${service.url}/hooks/stripe`) =>
  runWrk({
    url,
    connections: CONCURRENCY,
    durationMs,
    cpus: LOAD_CPU,
    script: `local events = assert(io.open(${JSON.stringify(path)}, "r"))
request = function()
  local line = events:read("*l")
  if not line then events:seek("set"); line = events:read("*l") end
  local tab = line:find("\t", 1, true)
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Stripe-Signature"] = line:sub(1, tab - 1),
  }, line:sub(tab + 1))
end`,
  });

/** Redis's AOF rewrites and forks so far (a fork stalls every client: printed, to read a tail by). */
const redisPersistence = async () => {
  const info = `${await connection.info('persistence')}${await connection.info('stats')}`;
  const field = (name: string) => new RegExp(`^${name}:(\\S+)`, 'm').exec(info)?.[1] ?? '?';
  return `AOF rewrites ${field('aof_rewrites')}, forks ${field('total_forks')}, last fork ${field('latest_fork_usec')} µs, AOF ${field('aof_current_size')} bytes`;
};
const list = (values: readonly number[], digits = 0) =>
  values.map((value) => value.toFixed(digits)).join(' · ');
const raw = new Queue(`raw-${randomUUID()}`, { connection, prefix });
// One route, one destination: each accepted event is one delivery job (kept: no worker runs).
const deliveries = new Queue('deliveries', { connection, prefix });
try {
  // Ingest, ROUNDS times: the raw add, then the service, each DURATION_MS with the same number of
  // concurrent callers. Alternating rounds, compared round by round: the machine's drift (this
  // VM's rates move by ±25 % from one minute to the next) weighs on both sides of each ratio.
  const ingestRounds: {
    raw: LoadResult;
    floor: LoadResult;
    ours: LoadResult;
    rawRedisUs: number;
    redisUs: number;
    serviceUs: number;
  }[] = [];
  const measuredCount = Math.ceil((SIGNED_PER_SECOND * DURATION_MS) / 1000);
  for (let round = 0; round < ROUNDS; round++) {
    const redisBeforeRaw = redisCpuMs();
    const readsBeforeRaw = await redisReads();
    const rawAdd = await rawBullmq<LoadResult & { calls: number }>([
      'add',
      redis.url,
      prefix,
      raw.name,
      String(CONCURRENCY),
      String(DURATION_MS),
      String(WARMUP_MS),
    ]);
    const rawRedisUs = ((redisCpuMs() - redisBeforeRaw) * 1000) / rawAdd.calls;
    const rawReads = ((await redisReads()) - readsBeforeRaw) / rawAdd.calls;
    // Each side on the same, empty Redis: the raw side's jobs would otherwise weigh on the
    // service's run alone (a larger dataset to fork for each AOF rewrite, more memory).
    await raw.obliterate({ force: true });
    const measuredEvents = await signedEventsFile(`measured-${round}.events`, measuredCount);
    // Each side after a warm-up of its own, as the raw side has in its process: new events for
    // the service (the floor reads them too, and answers every one alike).
    const warmupEvents = await signedEventsFile(
      `warmup-${round}.events`,
      Math.ceil((SIGNED_PER_SECOND * WARMUP_MS) / 1000),
    );
    await wrkIngest(warmupEvents, WARMUP_MS, floorUrl);
    const floor = await wrkIngest(measuredEvents, DURATION_MS, floorUrl);
    await wrkIngest(warmupEvents, WARMUP_MS);
    const storedBefore = await deliveries.count();
    const cpuBefore = processCpuMs(service.child.pid ?? 0);
    const redisBeforeIngest = redisCpuMs();
    const readsBeforeIngest = await redisReads();
    const ingest = await wrkIngest(measuredEvents, DURATION_MS);
    const redisUs = ((redisCpuMs() - redisBeforeIngest) * 1000) / ingest.requests;
    const ingestReads = ((await redisReads()) - readsBeforeIngest) / ingest.requests;
    const serviceUs = ((processCpuMs(service.child.pid ?? 0) - cpuBefore) * 1000) / ingest.requests;
    const stored = (await deliveries.count()) - storedBefore;
    // Every answer counted must be a 202 for a new event: a wrapped file would resend events (200
    // duplicate, which wrk counts as a success), and every one of them must be in the queue.
    if (ingest.requests > measuredCount)
      throw new Error(
        `wrk sent ${ingest.requests} events, only ${measuredCount} were signed: raise BENCH_SIGNED_PER_SECOND`,
      );
    if (stored < ingest.requests)
      throw new Error(`${ingest.requests} events acknowledged, ${stored} stored`);
    await deliveries.obliterate({ force: true });
    ingestRounds.push({ raw: rawAdd, floor, ours: ingest, rawRedisUs, redisUs, serviceUs });
    process.stdout.write(
      `ingest round ${round + 1}: raw ${rawAdd.rps.toFixed(0)}/s, HTTP floor ${floor.rps.toFixed(0)}/s, ours ${ingest.rps.toFixed(0)}/s (p99 ${ingest.p99Ms.toFixed(2)} ms); Redis reads per event: raw ${rawReads.toFixed(2)}, ours ${ingestReads.toFixed(2)}; ${await redisPersistence()}\n`,
    );
  }

  // Delivery, ROUNDS times: N no-op jobs through BullMQ's raw Worker, then N stored events'
  // deliveries POSTed to the sink by a webhooks worker process.
  const deliveryRounds: { raw: number; ours: number; workerUs: number }[] = [];
  const [command, args] = pinnedTo(SERVICE_CPU, [
    process.execPath,
    ...nodeArgs('webhooks/src/worker.ts'),
  ]);
  for (let round = 0; round < ROUNDS; round++) {
    await raw.addBulk(
      Array.from({ length: DELIVERY_WARMUP + DELIVERIES }, () => ({
        name: 'job',
        data: signedEvent(),
      })),
    );
    const { seconds: rawSeconds } = await rawBullmq<{ seconds: number }>([
      'process',
      redis.url,
      prefix,
      raw.name,
      String(CONCURRENCY),
      String(DELIVERIES),
      String(DELIVERY_WARMUP),
    ]);
    await raw.obliterate({ force: true });

    await deliveries.pause();
    const events = DELIVERY_WARMUP + DELIVERIES;
    for (let i = 0; i < events; i += CONCURRENCY)
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, events - i) }, ingestOne));
    const workerProcess = spawn(command, args, {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...serviceEnv,
        ...(process.env['BENCH_WORKER_NODE_OPTIONS']
          ? { NODE_OPTIONS: process.env['BENCH_WORKER_NODE_OPTIONS'] }
          : {}),
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    // Its start-up (loading, the Redis checks) is not delivery: let it settle before the clock starts.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    sink.received.count = 0;
    await deliveries.resume();
    const until = async (count: number) => {
      while (sink.received.count < count) await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await until(DELIVERY_WARMUP);
    const workerCpuBefore = processCpuMs(workerProcess.pid ?? 0);
    const deliveryStarted = performance.now();
    const startedAt = sink.received.count;
    await until(DELIVERY_WARMUP + DELIVERIES);
    const measured = sink.received.count - startedAt;
    const deliverySeconds = (performance.now() - deliveryStarted) / 1000;
    const workerUs = ((processCpuMs(workerProcess.pid ?? 0) - workerCpuBefore) * 1000) / measured;
    workerProcess.kill('SIGTERM');
    await once(workerProcess, 'exit');
    await deliveries.obliterate({ force: true });
    deliveryRounds.push({
      raw: DELIVERIES / rawSeconds,
      ours: measured / deliverySeconds,
      workerUs,
    });
    process.stdout.write(
      `delivery round ${round + 1}: raw ${(DELIVERIES / rawSeconds).toFixed(0)}/s, ours ${(measured / deliverySeconds).toFixed(0)}/s; ${await redisPersistence()}\n`,
    );
  }

  const ingestRatios = ingestRounds.map(({ raw: r, ours }) => (ours.rps / r.rps) * 100);
  // HTTP and the raw add on one core, one after the other: 1 / (1 / floor + 1 / add) per second.
  const bothRates = ingestRounds.map(({ raw: r, floor }) => 1 / (1 / floor.rps + 1 / r.rps));
  const bothRatios = ingestRounds.map(({ ours }, i) => (ours.rps / (bothRates[i] ?? 1)) * 100);
  const p99s = ingestRounds.map(({ ours }) => ours.p99Ms);
  const deliveryRatios = deliveryRounds.map(({ raw: r, ours }) => (ours / r) * 100);
  const ingestRatio = median(ingestRatios);
  const p99 = median(p99s);
  const deliveryRatio = median(deliveryRatios);
  const checks: Check[] = [
    [
      'ingest ≥ 50 % of raw add rate (median of the rounds)',
      `${ingestRatio.toFixed(1)} % (rounds ${list(ingestRatios, 1)})`,
      ingestRatio >= 50,
    ],
    [
      `p99 ack ≤ 25 ms at 50 senders (median of the rounds${CONCURRENCY === 50 ? '' : `; here ${String(CONCURRENCY)} senders: not the target's setting`})`,
      `${p99.toFixed(2)} ms (rounds ${list(p99s, 2)})`,
      p99 <= 25,
    ],
    [
      'delivery ≥ 50 % of raw processing (median of the rounds)',
      `${deliveryRatio.toFixed(1)} % (rounds ${list(deliveryRatios, 1)})`,
      deliveryRatio >= 50,
    ],
  ];
  const row = (scenario: string, rates: number[], extra = ' | | |') =>
    `| ${scenario} | ${median(rates).toFixed(0)} | ${list(rates)}${extra}`;
  publish('webhooks (ingest and delivery vs raw BullMQ)', [
    `Command: \`npm run bench:webhooks\` (${ROUNDS} rounds, each side in turn — ingest: ${DURATION_MS / 1000} s per side and round (each side after its own ${WARMUP_MS / 1000} s warm-up), ${CONCURRENCY} concurrent callers — wrk connections for the service, async callers for the raw add; delivery: ${DELIVERIES} events per side and round after ${DELIVERY_WARMUP} of warm-up, concurrency ${CONCURRENCY}). Machine: ${machine()}, loopback; Redis 7 private, AOF appendfsync always${AOF_REWRITE_MIN_SIZE === undefined ? '' : `, auto-aof-rewrite-min-size ${AOF_REWRITE_MIN_SIZE} (BENCH_AOF_REWRITE_MIN_SIZE)`}${ACK_REPLICAS === 0 ? '' : `; ${String(ACK_REPLICAS)} local replica(s), the service with WEBHOOKS_ACK_REPLICAS=${String(ACK_REPLICAS)} (BENCH_ACK_REPLICAS; the raw side does not wait for them)`}. Service, its worker and the raw BullMQ client (each a Node process, in turn) on CPU ${SERVICE_CPU}; wrk and the sink on CPU ${LOAD_CPU}; Redis ${REDIS_CPU === 'any' ? 'unpinned' : `on CPU ${REDIS_CPU}`}.`,
    '',
    '| scenario | rate (/s, median) | rate per round | p50 ms (median) | p99 ms per round |',
    '|---|---|---|---|---|',
    row(
      `BullMQ raw Queue.add (ceiling; Redis CPU ${median(ingestRounds.map((r) => r.rawRedisUs)).toFixed(0)} µs per add)`,
      ingestRounds.map((r) => r.raw.rps),
      ` | ${median(ingestRounds.map((r) => r.raw.p50Ms)).toFixed(2)} | ${list(
        ingestRounds.map((r) => r.raw.p99Ms),
        2,
      )} |`,
    ),
    row(
      'node:http answering 202 after reading the body, nothing else (the HTTP floor)',
      ingestRounds.map((r) => r.floor.rps),
      ` | ${median(ingestRounds.map((r) => r.floor.p50Ms)).toFixed(2)} | ${list(
        ingestRounds.map((r) => r.floor.p99Ms),
        2,
      )} |`,
    ),
    row(
      `HTTP floor + raw add on one core, derived: 1 / (1/floor + 1/add); the webhooks ingest is ${median(bothRatios).toFixed(1)} % of it (rounds ${list(bothRatios, 1)})`,
      bothRates,
    ),
    row(
      `webhooks ingest: verify + persist + 202 (service CPU ${median(ingestRounds.map((r) => r.serviceUs)).toFixed(0)} µs, Redis ${median(ingestRounds.map((r) => r.redisUs)).toFixed(0)} µs per event; errors ${ingestRounds.reduce((sum, r) => sum + r.ours.errors, 0)})`,
      ingestRounds.map((r) => r.ours.rps),
      ` | ${median(ingestRounds.map((r) => r.ours.p50Ms)).toFixed(2)} | ${list(p99s, 2)} |`,
    ),
    row(
      'BullMQ raw Worker, no-op (ceiling)',
      deliveryRounds.map((r) => r.raw),
    ),
    row(
      `webhooks delivery: POST to a local sink (worker CPU ${median(deliveryRounds.map((r) => r.workerUs)).toFixed(0)} µs per event)`,
      deliveryRounds.map((r) => r.ours),
    ),
    '',
    ...targetTable(checks),
  ]);
} finally {
  httpFloor.kill('SIGTERM');
  await raw.close();
  await deliveries.close();
  await service.stop();
  connection.disconnect();
  await sink.close();
  await Promise.all(replicas.map((replica) => replica.stop()));
  await redis.stop();
  // Its AOF holds every event of the run: hundreds of MB per run.
  rmSync(scratch, { recursive: true, force: true });
}
