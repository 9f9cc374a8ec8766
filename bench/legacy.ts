// `npm run bench:legacy`: the PHP monolith directly vs legacy-rest-adapter on a cache miss vs a cache
// hit vs a 304 revalidation, in one run, on loopback. Appends the table to docs/benchmarks.md.
import { appendFileSync, mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPhpServer } from '@manifold/platform/testing';
import { Pool } from 'undici';
import { freePort, REPO_ROOT, startService } from '../test/e2e/support/processes.ts';
import { runLoad, type LoadResult } from './support/load.ts';

const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 10_000);
const WARMUP_MS = 2_000;
const scratch = mkdtempSync(join(tmpdir(), 'bench-legacy-'));
const monolith = await startPhpServer({
  router: join(REPO_ROOT, 'upstreams/php-monolith/router.php'),
  env: {
    LEGACY_DATABASE_PATH: join(scratch, 'legacy.sqlite'),
    LEGACY_SESSION_PATH: join(scratch, 'sessions'),
    LEGACY_TEST_HOOKS: '0',
  },
  workers: 4,
});
const adapter = await startService({
  name: 'legacy-rest-adapter',
  entry: 'legacy-rest-adapter/src/main.ts',
  port: await freePort(),
  env: { LEGACY_URL: monolith.url, LOG_LEVEL: 'error', NODE_ENV: 'production' },
  readyPath: '/healthz',
});

const results: { scenario: string; concurrency: number; result: LoadResult }[] = [];
try {
  const login = await fetch(`${monolith.url}/index.php?action=login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'username=api&password=api-secret',
    redirect: 'manual',
  });
  const cookie = login.headers.get('set-cookie')?.match(/PHPSESSID=[^;]+/)?.[0] ?? '';
  const monolithPool = new Pool(monolith.url, { connections: 32 });
  const adapterPool = new Pool(adapter.url, { connections: 64 });
  const get =
    (pool: Pool, path: string, headers: Record<string, string> = {}, expect = 200) =>
    async () => {
      const { statusCode, body } = await pool.request({ method: 'GET', path, headers });
      await body.dump();
      if (statusCode !== expect) throw new Error(`HTTP ${statusCode}`);
    };
  // A miss must really miss: every request asks for an invoice nobody asked for before.
  let nextId = 1;
  const fresh = () => 1 + (nextId++ % 20_000);
  const HOT = Array.from({ length: 50 }, (_, i) => 100 + i);
  const etags = new Map<number, string>();
  for (const id of HOT) {
    const response = await fetch(`${adapter.url}/api/v2/invoices/${id}`);
    etags.set(id, response.headers.get('etag') ?? '');
  }
  const hot = () => HOT[Math.floor(Math.random() * HOT.length)] ?? 100;

  const scenarios: [string, () => Promise<void>, number][] = [
    [
      'PHP monolith, direct (invoice JSON)',
      () => get(monolithPool, `/index.php?action=invoice&id=${fresh()}`, { cookie })(),
      2,
    ],
    ['adapter, cache miss → monolith', () => get(adapterPool, `/api/v2/invoices/${fresh()}`)(), 2],
    ['adapter, cache hit (in-memory)', () => get(adapterPool, `/api/v2/invoices/${hot()}`)(), 2],
    [
      'adapter, 304 revalidation',
      () => {
        const id = hot();
        return get(
          adapterPool,
          `/api/v2/invoices/${id}`,
          { 'if-none-match': etags.get(id) ?? '' },
          304,
        )();
      },
      2,
    ],
    [
      'PHP monolith, direct (invoice JSON)',
      () => get(monolithPool, `/index.php?action=invoice&id=${fresh()}`, { cookie })(),
      16,
    ],
    ['adapter, cache miss → monolith', () => get(adapterPool, `/api/v2/invoices/${fresh()}`)(), 16],
    ['adapter, cache hit (in-memory)', () => get(adapterPool, `/api/v2/invoices/${hot()}`)(), 64],
    [
      'adapter, 304 revalidation',
      () => {
        const id = hot();
        return get(
          adapterPool,
          `/api/v2/invoices/${id}`,
          { 'if-none-match': etags.get(id) ?? '' },
          304,
        )();
      },
      64,
    ],
  ];
  for (const [scenario, task, concurrency] of scenarios) {
    const result = await runLoad(task, {
      concurrency,
      durationMs: DURATION_MS,
      warmupMs: WARMUP_MS,
    });
    results.push({ scenario, concurrency, result });
    process.stdout.write(
      `${scenario.padEnd(38)} c=${String(concurrency).padEnd(3)} ${result.rps.toFixed(0).padStart(7)} rps  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  errors ${result.errors}\n`,
    );
  }
  await Promise.all([monolithPool.close(), adapterPool.close()]);
} finally {
  await adapter.stop();
  await monolith.stop();
}

const find = (scenario: string, concurrency: number) =>
  results.find((r) => r.scenario === scenario && r.concurrency === concurrency)?.result;
const directBusy = find('PHP monolith, direct (invoice JSON)', 16);
const hitLight = find('adapter, cache hit (in-memory)', 2);
const hitBusy = find('adapter, cache hit (in-memory)', 64);
const notModifiedBusy = find('adapter, 304 revalidation', 64);
if (!directBusy || !hitLight || !hitBusy || !notModifiedBusy)
  throw new Error('a scenario did not run');
const checks = [
  [
    'cached GET throughput ≥ 20× the monolith (c=64 vs c=16)',
    `${(hitBusy.rps / directBusy.rps).toFixed(1)}×`,
    hitBusy.rps >= 20 * directBusy.rps,
  ],
  [
    '304 throughput ≥ 20× the monolith',
    `${(notModifiedBusy.rps / directBusy.rps).toFixed(1)}×`,
    notModifiedBusy.rps >= 20 * directBusy.rps,
  ],
  ['cached GET p50 ≤ 2 ms (c=2)', `${hitLight.p50Ms.toFixed(2)} ms`, hitLight.p50Ms <= 2],
] as const;
const table = [
  `### legacy-rest-adapter — ${new Date().toISOString().slice(0, 10)}`,
  '',
  `Command: \`npm run bench:legacy\` (${DURATION_MS / 1000} s per scenario after ${WARMUP_MS / 1000} s warm-up; closed loop). Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, PHP monolith with 4 workers, loopback.`,
  'The adapter is one process; a miss asks for an invoice id not asked for before (so it really reaches the monolith).',
  '',
  '| scenario | concurrency | RPS | p50 ms | p99 ms | errors |',
  '|---|---|---|---|---|---|',
  ...results.map(
    ({ scenario, concurrency, result }) =>
      `| ${scenario} | ${concurrency} | ${result.rps.toFixed(0)} | ${result.p50Ms.toFixed(2)} | ${result.p99Ms.toFixed(2)} | ${result.errors} |`,
  ),
  '',
  '| target | measured | met |',
  '|---|---|---|',
  ...checks.map(
    ([target, measured, met]) => `| ${target} | ${measured} | ${met ? 'yes' : '**no**'} |`,
  ),
  '',
].join('\n');
process.stdout.write(`\n${table}\n`);
appendFileSync(join(REPO_ROOT, 'docs/benchmarks.md'), `\n${table}`);
