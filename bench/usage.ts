// `npm run bench:usage`: what usage reporting costs the gateway, on the standard gateway benchmark
// (test/fixtures/gateways-benchmark: its four subgraphs served locally, its query, 50 concurrent
// clients), in one run: usage reporting off vs on (USAGE_REPORTING_URL: reports every 10 s to a
// local sink that acknowledges them as the registry's `POST /usage` does). Prints the table and
// the ratio to "off", and appends them to docs/benchmarks.md (not for a smoke run under 5 s).
//
// Fair shares of a small machine: each gateway runs on CPU 0, alone while measured; this process
// (load generator, the subgraphs, the sink) on CPU 1.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { benchmarkScenarios, startBenchmarkGateways } from './support/gateway-benchmark.ts';
import {
  CPU_PER_REQUEST_NOTE,
  lossChecks,
  machine,
  publish,
  scenarioTable,
  targetTable,
} from './support/report.ts';
import { measureInRounds } from './support/rounds.ts';

const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 20_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const WARMUP_MS = Math.min(15_000, DURATION_MS);
const CONCURRENCY = 50; // the benchmark's virtual users
const GATEWAY_CPU = '0';
const LOAD_CPU = '1';
if (process.env['BENCH_PIN'] !== '0')
  execFileSync('taskset', ['-a', '-pc', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });

// Where usage reports go: a sink that reads and acknowledges them, as the registry would.
let reports = 0;
let entries = 0;
const sink = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    reports++;
    const accepted = (JSON.parse(body) as { entries: unknown[] }).entries.length;
    entries += accepted;
    res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ accepted }));
  });
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

const MODES = [
  { name: 'usage reporting off', env: {} },
  { name: 'usage reporting on', env: { USAGE_REPORTING_URL: sinkUrl } },
];
// A named client, as Apollo Client sends it: what the reports are keyed by.
const CLIENT = { 'apollographql-client-name': 'bench', 'apollographql-client-version': '1.0.0' };

const { gateways, stop } = await startBenchmarkGateways({
  modes: MODES,
  cpu: GATEWAY_CPU,
  connections: CONCURRENCY,
  // Only usage reporting differs between the two. The benchmark's query is priced above the
  // production maximum cost (its supergraph has no @listSize), and 50 anonymous clients from one
  // address would meet the anonymous tier's limits: bench:protection measures those.
  env: { GRAPHQL_MAX_COST: '1000000', GRAPHQL_COST_BUDGET_PER_MINUTE: '0', RATE_LIMITS: 'off' },
  headers: CLIENT,
});
const results = await measureInRounds(
  benchmarkScenarios(gateways, { concurrency: CONCURRENCY, headers: CLIENT }),
  {
    rounds: ROUNDS,
    durationMs: DURATION_MS,
    warmupMs: WARMUP_MS,
    onRun: ({ name }, result, round) => {
      process.stdout.write(
        `round ${round} ${name.padEnd(22)} ${result.rps.toFixed(0).padStart(5)} rps  p50 ${result.p50Ms.toFixed(1)} ms\n`,
      );
    },
  },
).finally(async () => {
  // The "on" gateway sends what it still holds as it stops: the sink's counts include it.
  await stop();
  sink.close();
});

const [off, on] = results;
const lines = [
  `Command: \`npm run bench:usage\`. Machine: ${machine()}. The gateway on CPU ${GATEWAY_CPU} (each mode its own process, measured alone); the load generator (${CONCURRENCY} closed-loop clients), the four benchmark subgraphs and the usage sink on CPU ${LOAD_CPU}. Warm-up ${WARMUP_MS / 1000} s per mode, then ${ROUNDS} interleaved rounds of ${DURATION_MS / 1000} s, medians. Usage reports received by the sink: ${reports} (${entries} entries). ${CPU_PER_REQUEST_NOTE}`,
  '',
  ...scenarioTable(results),
  '',
  ...targetTable([
    ...lossChecks('usage reporting on', off, on, 0.03),
    ['the sink received usage reports', String(reports), reports > 0],
  ]),
];
if (DURATION_MS >= 5_000) publish('usage reporting (gateway benchmark)', lines);
else process.stdout.write(`\n(smoke run, not recorded)\n${lines.join('\n')}\n`);
