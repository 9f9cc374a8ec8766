// `npm run bench:soap`: the direct node-soap client vs soap-proxy (uncached) vs soap-proxy (cache hit,
// in memory and in Redis), in one run, against the reference PHP supplier on loopback.
// Prints a table and appends it, with the command, machine and date, to docs/benchmarks.md.
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPhpServer } from '@manifold/platform/testing';
import soap from 'soap';
import { Pool } from 'undici';
import {
  freePort,
  REPO_ROOT,
  startService,
  type ServiceProcess,
} from '../test/e2e/support/processes.ts';
import { runLoad, type LoadResult } from './support/load.ts';

const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 10_000);
const WARMUP_MS = 2_000;
const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const WSDL = join(REPO_ROOT, 'upstreams/soap-supplier/supplier.wsdl');
const sku = () => `SKU-${String(1 + Math.floor(Math.random() * 5_000)).padStart(5, '0')}`;
const HOT_SKUS = Array.from({ length: 50 }, (_, i) => `SKU-${String(i + 1).padStart(5, '0')}`);

const scratch = mkdtempSync(join(tmpdir(), 'bench-soap-'));
const supplier = await startPhpServer({
  router: join(REPO_ROOT, 'upstreams/soap-supplier/router.php'),
  env: { SUPPLIER_DATABASE_PATH: join(scratch, 'supplier.sqlite'), SUPPLIER_TEST_HOOKS: '0' },
  workers: 4,
});
const config = join(scratch, 'services.json');
writeFileSync(
  config,
  JSON.stringify({
    services: [
      {
        name: 'nocache',
        wsdl: WSDL,
        endpoint: `${supplier.url}/`,
        operations: { GetStockLevel: { safe: true, cacheTtlSeconds: 0 } },
      },
      {
        name: 'cached',
        wsdl: WSDL,
        endpoint: `${supplier.url}/`,
        operations: { GetStockLevel: { safe: true, cacheTtlSeconds: 3_600 } },
      },
    ],
  }),
);
const proxies: ServiceProcess[] = [];
const startProxy = async (env: Record<string, string>) => {
  const proxy = await startService({
    name: 'soap-proxy',
    entry: 'soap-proxy/src/main.ts',
    port: await freePort(),
    env: { SOAP_PROXY_CONFIG: config, LOG_LEVEL: 'error', NODE_ENV: 'production', ...env },
    readyPath: '/healthz',
  });
  proxies.push(proxy);
  return proxy;
};

const results: { scenario: string; result: LoadResult; concurrency: number }[] = [];
try {
  const memory = await startProxy({});
  const redis = await startProxy({ REDIS_URL });

  const client = (await soap.createClientAsync(WSDL, {
    endpoint: `${supplier.url}/`,
  })) as unknown as { GetStockLevel: (args: unknown, cb: (error: unknown) => void) => void };
  const direct = () =>
    new Promise<void>((resolve, reject) => {
      client.GetStockLevel({ sku: sku() }, (error) => {
        if (error) reject(error instanceof Error ? error : new Error('fault'));
        else resolve();
      });
    });

  const pools = new Map<string, Pool>();
  const post = (base: string, path: string, body: string) => async () => {
    let pool = pools.get(base);
    if (!pool) pools.set(base, (pool = new Pool(base, { connections: 64 })));
    const { statusCode, body: stream } = await pool.request({
      method: 'POST',
      path,
      headers: { 'content-type': 'application/json' },
      body,
    });
    await stream.dump();
    if (statusCode !== 200) throw new Error(`HTTP ${statusCode}`);
  };
  const proxyUncached = () =>
    post(memory.url, '/api/v1/nocache/GetStockLevel', JSON.stringify({ sku: sku() }))();
  const hot = (proxy: ServiceProcess) => () =>
    post(
      proxy.url,
      '/api/v1/cached/GetStockLevel',
      JSON.stringify({ sku: HOT_SKUS[Math.floor(Math.random() * HOT_SKUS.length)] }),
    )();
  for (const proxy of [memory, redis])
    for (const s of HOT_SKUS)
      await post(proxy.url, '/api/v1/cached/GetStockLevel', JSON.stringify({ sku: s }))();

  // Each path twice: lightly loaded (latency, no queueing) and saturated (throughput).
  const scenarios: [string, () => Promise<void>, number][] = [
    ['direct node-soap client → supplier', direct, 2],
    ['soap-proxy, uncached → supplier', proxyUncached, 2],
    ['direct node-soap client → supplier', direct, 16],
    ['soap-proxy, uncached → supplier', proxyUncached, 16],
    ['soap-proxy, cache hit (in-memory)', hot(memory), 2],
    ['soap-proxy, cache hit (Redis)', hot(redis), 2],
    ['soap-proxy, cache hit (in-memory)', hot(memory), 64],
    ['soap-proxy, cache hit (Redis)', hot(redis), 64],
  ];
  for (const [scenario, task, concurrency] of scenarios) {
    const result = await runLoad(task, {
      concurrency,
      durationMs: DURATION_MS,
      warmupMs: WARMUP_MS,
    });
    results.push({ scenario, result, concurrency });
    process.stdout.write(
      `${scenario.padEnd(38)} c=${String(concurrency).padEnd(3)} ${result.rps.toFixed(0).padStart(7)} rps  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  errors ${result.errors}\n`,
    );
  }
  await Promise.all([...pools.values()].map((pool) => pool.close()));
} finally {
  await Promise.all(proxies.map((proxy) => proxy.stop()));
  await supplier.stop();
}

const [
  directLight,
  uncachedLight,
  directBusy,
  uncachedBusy,
  hitMemoryLight,
  ,
  hitMemoryBusy,
  hitRedisBusy,
] = results.map((entry) => entry.result);
if (
  !directLight ||
  !uncachedLight ||
  !directBusy ||
  !uncachedBusy ||
  !hitMemoryLight ||
  !hitMemoryBusy ||
  !hitRedisBusy
)
  throw new Error('a scenario did not run');
const latencyOverhead = (uncachedLight.p50Ms - directLight.p50Ms) / directLight.p50Ms;
const throughputOverhead = (directBusy.rps - uncachedBusy.rps) / directBusy.rps;
const checks = [
  [
    'proxy overhead vs direct client, p50 latency at c=2, uncached ≤ 15 %',
    `${(latencyOverhead * 100).toFixed(1)} %`,
    latencyOverhead <= 0.15,
  ],
  [
    '(for reference) proxy throughput loss vs direct at c=16, same 2 cores as the PHP supplier',
    `${(throughputOverhead * 100).toFixed(1)} %`,
    throughputOverhead <= 0.15,
  ],
  [
    'cache hit p50 ≤ 1 ms (in-memory, c=2)',
    `${hitMemoryLight.p50Ms.toFixed(2)} ms`,
    hitMemoryLight.p50Ms <= 1,
  ],
  [
    'cache hit ≥ 5,000 rps on one core (in-memory, c=64)',
    `${hitMemoryBusy.rps.toFixed(0)} rps`,
    hitMemoryBusy.rps >= 5_000,
  ],
  [
    'cache hit with Redis ≥ 50 % of in-memory (c=64)',
    `${((hitRedisBusy.rps / hitMemoryBusy.rps) * 100).toFixed(0)} %`,
    hitRedisBusy.rps >= hitMemoryBusy.rps / 2,
  ],
] as const;

const date = new Date().toISOString().slice(0, 10);
const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, PHP supplier with 4 workers, loopback`;
const table = [
  `### soap-proxy — ${date}`,
  '',
  `Command: \`npm run bench:soap\` (${DURATION_MS / 1000} s per scenario after ${WARMUP_MS / 1000} s warm-up; closed loop). Machine: ${machine}.`,
  'soap-proxy is one process (one core); the load generator and the direct client run in another.',
  '',
  '| scenario | concurrency | RPS | p50 ms | p99 ms | errors |',
  '|---|---|---|---|---|---|',
  ...results.map(
    ({ scenario, result, concurrency }) =>
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
