// `npm run bench:legacy`: the PHP monolith directly vs legacy-rest-adapter on a cache miss vs a
// cache hit vs a 304 revalidation, in one run, on loopback. Appends the table to docs/benchmarks.md.
//
// Fair shares of a small machine: the service under test (the monolith's PHP workers, or the
// adapter) runs on CPU 0, the load generator (wrk) on CPU 1. A cache miss needs both the adapter
// and the monolith; they then share CPU 0.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPhpServer } from '@manifold/platform/testing';
import { freePort, REPO_ROOT, startService } from '../test/e2e/support/processes.ts';
import type { LoadResult } from './support/load.ts';
import { requireWrk, runWrk } from './support/wrk.ts';

const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 10_000);
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
  cpus: SERVICE_CPU,
});
const adapter = await startService({
  name: 'legacy-rest-adapter',
  entry: 'legacy-rest-adapter/src/main.ts',
  port: await freePort(),
  env: { LEGACY_URL: monolith.url, LOG_LEVEL: 'error', NODE_ENV: 'production' },
  readyPath: '/healthz',
  cpus: SERVICE_CPU,
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
  // Hits and 304s ask for 50 hot invoices, rendered once before the runs; check they really are.
  const HOT = Array.from({ length: 50 }, (_, i) => 100 + i);
  const etags: string[] = [];
  for (const id of HOT) {
    const response = await fetch(`${adapter.url}/api/v2/invoices/${id}`);
    etags.push(response.headers.get('etag') ?? '');
  }
  const sample = await fetch(`${adapter.url}/api/v2/invoices/${HOT[0]}`);
  const revalidated = await fetch(`${adapter.url}/api/v2/invoices/${HOT[0]}`, {
    headers: { 'if-none-match': etags[0] ?? '' },
  });
  if (sample.headers.get('x-cache') !== 'HIT' || revalidated.status !== 304)
    throw new Error('the hot invoices are not answered from the cache');

  const lua = {
    // A different invoice each time: every request really reaches the monolith.
    monolith: `local id = 0
request = function()
  id = id % 20000 + 1
  return wrk.format("GET", "/index.php?action=invoice&id=" .. id, { ["Cookie"] = "${cookie}" })
end`,
    miss: `local id = 1000
request = function()
  id = id % 20000 + 1
  return wrk.format("GET", "/api/v2/invoices/" .. id)
end`,
    hit: `request = function()
  return wrk.format("GET", "/api/v2/invoices/" .. math.random(${HOT[0]}, ${HOT.at(-1)}))
end`,
    notModified: `local etags = { ${etags.map((etag) => `'${etag}'`).join(', ')} }
request = function()
  local i = math.random(1, ${HOT.length})
  return wrk.format("GET", "/api/v2/invoices/" .. (${(HOT[0] ?? 0) - 1} + i), { ["If-None-Match"] = etags[i] })
end`,
  };
  const scenarios: [string, string, string, number][] = [
    ['PHP monolith, direct (invoice JSON)', monolith.url, lua.monolith, 2],
    ['adapter, cache miss → monolith', adapter.url, lua.miss, 2],
    ['adapter, cache hit', adapter.url, lua.hit, 2],
    ['adapter, 304 revalidation', adapter.url, lua.notModified, 2],
    ['PHP monolith, direct (invoice JSON)', monolith.url, lua.monolith, 16],
    ['adapter, cache miss → monolith', adapter.url, lua.miss, 16],
    ['adapter, cache hit', adapter.url, lua.hit, 64],
    ['adapter, 304 revalidation', adapter.url, lua.notModified, 64],
  ];
  for (const [scenario, url, script, concurrency] of scenarios) {
    const result = await runWrk({
      url,
      connections: concurrency,
      durationMs: DURATION_MS,
      script,
      cpus: LOAD_CPU,
    });
    results.push({ scenario, concurrency, result });
    process.stdout.write(
      `${scenario.padEnd(38)} c=${String(concurrency).padEnd(3)} ${result.rps.toFixed(0).padStart(7)} rps  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  errors ${result.errors}\n`,
    );
  }
} finally {
  await adapter.stop();
  await monolith.stop();
}

const find = (scenario: string, concurrency: number) =>
  results.find((r) => r.scenario === scenario && r.concurrency === concurrency)?.result;
const directBusy = find('PHP monolith, direct (invoice JSON)', 16);
const hitLight = find('adapter, cache hit', 2);
const hitBusy = find('adapter, cache hit', 64);
const notModifiedBusy = find('adapter, 304 revalidation', 64);
if (!directBusy || !hitLight || !hitBusy || !notModifiedBusy)
  throw new Error('a scenario did not run');
const checks = [
  [
    'cached GET throughput ≥ 20× the monolith (c=64 vs the monolith at c=16, one core each)',
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
  `Command: \`npm run bench:legacy\` (wrk, ${DURATION_MS / 1000} s per scenario). Machine: ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, PHP monolith with 4 workers, loopback.`,
  `The service under test runs on CPU ${SERVICE_CPU} (the monolith's workers, or the adapter), wrk on CPU ${LOAD_CPU}; on a miss the adapter and the monolith share CPU ${SERVICE_CPU}. A miss asks for an invoice not asked for before; hits and 304s ask for 50 hot invoices.`,
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
