// `npm run bench:legacy`: the PHP monolith directly vs legacy-rest-adapter on a cache miss vs a
// cache hit vs a 304 revalidation, in one run, on loopback. Appends the table to docs/benchmarks.md.
//
// Fair shares of a small machine: the service under test (the monolith's PHP workers, or the
// adapter) runs on CPU 0, the load generator (wrk) on CPU 1. A cache miss needs both the adapter
// and the monolith; they then share CPU 0.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPhpServer } from '@manifold/platform/testing';
import { freePort, REPO_ROOT, startService } from '../test/e2e/support/processes.ts';
import { pinTo } from './support/pin.ts';
import { machine, publish, scenarioTable, targetTable, type Check } from './support/report.ts';
import { measureInRounds, type Scenario, type ScenarioResult } from './support/rounds.ts';
import { requireWrk, runWrk } from './support/wrk.ts';

const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 10_000);
const WARMUP_MS = 5_000;
const MISS_DURATION_MS = 2_000;
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const SERVICE_CPU = '0';
const LOAD_CPU = '1';
requireWrk();
execFileSync('taskset', ['-a', '-pc', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });

const scratch = mkdtempSync(join(tmpdir(), 'bench-legacy-'));
const monolith = await startPhpServer({
  router: join(REPO_ROOT, 'upstreams/php-monolith/router.php'),
  env: {
    LEGACY_DATABASE_PATH: join(scratch, 'legacy.sqlite'),
    LEGACY_SESSION_PATH: join(scratch, 'sessions'),
    LEGACY_TEST_HOOKS: '0',
  },
  workers: 4,
  wrapCommand: pinTo(SERVICE_CPU),
});
const adapter = await startService({
  name: 'legacy-rest-adapter',
  entry: 'legacy-rest-adapter/src/main.ts',
  port: await freePort(),
  // Per-client rate limits (on in production) are bench:protection's subject, not this one's.
  env: { LEGACY_URL: monolith.url, LOG_LEVEL: 'error', NODE_ENV: 'production', RATE_LIMITS: 'off' },
  readyPath: '/healthz',
  wrapCommand: pinTo(SERVICE_CPU),
});

const results: ScenarioResult[] = [];
try {
  const login = await fetch(`${monolith.url}/index.php?action=login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=api&password=api-secret',
    redirect: 'manual',
  });
  const cookie = login.headers.get('set-cookie')?.match(/PHPSESSID=[^;]+/)?.[0] ?? '';
  // Hits and 304s ask for one hot invoice (as the monolith does: its work does not depend on the
  // id), rendered once before the runs; check it really is answered from the cache.
  const HOT = '/api/v2/invoices/120';
  const etag = (await fetch(`${adapter.url}${HOT}`)).headers.get('etag') ?? '';
  const sample = await fetch(`${adapter.url}${HOT}`);
  const revalidated = await fetch(`${adapter.url}${HOT}`, { headers: { 'if-none-match': etag } });
  if (sample.headers.get('x-cache') !== 'HIT' || revalidated.status !== 304)
    throw new Error('the hot invoice is not answered from the cache');

  const scenario = (
    name: string,
    concurrency: number,
    options: Omit<Parameters<typeof runWrk>[0], 'connections' | 'durationMs'>,
  ): Scenario => ({
    name,
    concurrency,
    // wrk inherits this process's pinning to LOAD_CPU.
    run: (durationMs) => runWrk({ ...options, connections: concurrency, durationMs }),
  });
  // A miss must really miss: each run asks for invoices no run asked for before (20,000 exist),
  // so miss runs are kept short.
  let nextUnasked = 1_000;
  const misses = (concurrency: number): Scenario => ({
    name: 'adapter, cache miss → monolith',
    concurrency,
    maxRounds: 3,
    run: async (durationMs) => {
      const result = await scenario('miss', concurrency, {
        url: adapter.url,
        script: `local id = ${nextUnasked}
request = function()
  id = id + 1
  return wrk.format("GET", "/api/v2/invoices/" .. id)
end`,
      }).run(Math.min(durationMs, MISS_DURATION_MS));
      nextUnasked += result.requests + concurrency;
      if (nextUnasked > 20_000) throw new Error('ran out of invoices nobody asked for');
      return result;
    },
  });
  const direct = {
    url: `${monolith.url}/index.php?action=invoice&id=120`,
    headers: { cookie },
  };
  const hit = { url: `${adapter.url}${HOT}` };
  const notModified = { url: `${adapter.url}${HOT}`, headers: { 'if-none-match': etag } };
  results.push(
    ...(await measureInRounds(
      [
        scenario('PHP monolith, direct (invoice JSON)', 2, direct),
        misses(2),
        scenario('adapter, cache hit', 2, hit),
        scenario('adapter, 304 revalidation', 2, notModified),
        scenario('PHP monolith, direct (invoice JSON)', 16, direct),
        misses(16),
        scenario('adapter, cache hit', 64, hit),
        scenario('adapter, 304 revalidation', 64, notModified),
      ],
      {
        rounds: ROUNDS,
        durationMs: DURATION_MS,
        warmupMs: WARMUP_MS,
        onRun: ({ name, concurrency }, result, round) => {
          process.stdout.write(
            `round ${round}  ${name.padEnd(38)} c=${String(concurrency).padEnd(3)} ${result.rps.toFixed(0).padStart(7)} rps  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  errors ${result.errors}\n`,
          );
        },
      },
    )),
  );
} finally {
  await adapter.stop();
  await monolith.stop();
}

const find = (scenario: string, concurrency: number) => {
  const found = results.find((r) => r.scenario === scenario && r.concurrency === concurrency);
  if (!found) throw new Error(`${scenario} (c=${concurrency}) did not run`);
  return found;
};
const directBusyResult = find('PHP monolith, direct (invoice JSON)', 16);
const hitBusyResult = find('adapter, cache hit', 64);
const notModifiedBusyResult = find('adapter, 304 revalidation', 64);
const directBusy = directBusyResult.result;
const directBusyRounds = directBusyResult.rpsRounds;
const hitLight = find('adapter, cache hit', 2).result;
const hitBusy = hitBusyResult.result;
const notModifiedBusy = notModifiedBusyResult.result;
// The ratio of medians decides; each round's own ratio shows how much the machine moved.
const perRound = (scenario: ScenarioResult) =>
  scenario.rpsRounds
    .map((rps, round) => (rps / (directBusyRounds[round] ?? Number.NaN)).toFixed(1))
    .join(' · ');
const checks: Check[] = [
  [
    'cached GET throughput ≥ 20× the monolith (c=64 vs the monolith at c=16, one core each)',
    `${(hitBusy.rps / directBusy.rps).toFixed(1)}× (rounds: ${perRound(hitBusyResult)})`,
    hitBusy.rps >= 20 * directBusy.rps,
  ],
  [
    '304 throughput ≥ 20× the monolith',
    `${(notModifiedBusy.rps / directBusy.rps).toFixed(1)}× (rounds: ${perRound(notModifiedBusyResult)})`,
    notModifiedBusy.rps >= 20 * directBusy.rps,
  ],
  ['cached GET p50 ≤ 2 ms (c=2)', `${hitLight.p50Ms.toFixed(2)} ms`, hitLight.p50Ms <= 2],
];
publish('legacy-rest-adapter', [
  `Command: \`npm run bench:legacy\` (wrk; each scenario warmed up for ${WARMUP_MS / 1000} s, then run ${ROUNDS} times for ${DURATION_MS / 1000} s in interleaved rounds; medians). Machine: ${machine()}, PHP monolith with 4 workers, loopback.`,
  `The service under test runs on CPU ${SERVICE_CPU} (the monolith's workers, or the adapter), wrk on CPU ${LOAD_CPU}; on a miss the adapter and the monolith share CPU ${SERVICE_CPU}. A miss asks for an invoice not asked for before (so that there are enough, miss runs last ${MISS_DURATION_MS / 1000} s, in 3 rounds, without warm-up); hits and 304s ask for one hot invoice, and the monolith for the same invoice.`,
  '',
  ...scenarioTable(results),
  '',
  ...targetTable(checks),
]);
