// `npm run bench:telemetry`: what telemetry costs the gateway, on the standard gateway benchmark
// (test/fixtures/gateways-benchmark: its four subgraphs served locally, its query, 50 concurrent
// clients), in one run: telemetry off (OTEL_SDK_DISABLED) vs metrics only (the default: nothing
// exported) vs traces sampled at 10 % vs 100 % (OTLP/HTTP to a local sink). Prints the table
// and the ratios to "off", and appends them to docs/benchmarks.md (not for a smoke run under 5 s).
//
// Fair shares of a small machine: each gateway runs on CPU 0, alone while measured; this process
// (load generator, the subgraphs, the OTLP sink) on CPU 1.
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
  type Check,
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

const MODES = [
  { name: 'telemetry off', env: { OTEL_SDK_DISABLED: 'true' } },
  { name: 'metrics only (default)', env: {} },
  { name: 'metrics + traces, 10 % sampled', sampled: '0.1' },
  { name: 'metrics + traces, 100 % sampled', sampled: '1' },
] as const;

// Where sampled spans go: a sink that reads and acknowledges OTLP, as a collector would.
let spansReceived = 0;
const sink = createServer((req, res) => {
  req.on('data', () => undefined);
  req.on('end', () => {
    spansReceived++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
const sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;

const { gateways, stop } = await startBenchmarkGateways({
  modes: MODES.map((mode) => ({
    name: mode.name,
    env:
      'sampled' in mode
        ? {
            OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
            OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
            OTEL_TRACES_SAMPLER_ARG: mode.sampled,
          }
        : mode.env,
  })),
  cpu: GATEWAY_CPU,
  connections: CONCURRENCY,
  env: {
    // Per-client rate limits (on in production) are bench:protection's subject, not this one's.
    RATE_LIMITS: 'off',
    // The benchmark's supergraph has no @listSize: each of its query's four nested lists is
    // assumed to hold 10 items, which prices it above the production maximum cost. Raised so
    // that it runs; its cost is still computed, as for every operation. No cost budget: a
    // load benchmark is one client spending far more than any budget allows.
    GRAPHQL_MAX_COST: '1000000',
    GRAPHQL_COST_BUDGET_PER_MINUTE: '0',
  },
});
const results = await measureInRounds(benchmarkScenarios(gateways, { concurrency: CONCURRENCY }), {
  rounds: ROUNDS,
  durationMs: DURATION_MS,
  warmupMs: WARMUP_MS,
  onRun: ({ name }, result, round) => {
    process.stdout.write(
      `round ${round} ${name.padEnd(34)} ${result.rps.toFixed(0).padStart(5)} rps  p50 ${result.p50Ms.toFixed(1)} ms\n`,
    );
  },
}).finally(async () => {
  await stop();
  sink.close();
});

const [off, metricsOnly, tracesTenth, tracesAll] = results;
const checks: Check[] = [
  ...lossChecks('metrics only', off, metricsOnly, 0.03),
  ...lossChecks('traces at 10 %', off, tracesTenth, 0.07),
  // Reported as measured: no target.
  ...lossChecks('traces at 100 %', off, tracesAll, 1).map(([target, measured]): Check => [
    target.replace(/ ≤ 100.0 %/, ' (reported)'),
    measured,
    true,
  ]),
];
const rpsOf = (index: number) => results[index]?.result.rps ?? Number.NaN;
// CPU per request of the gateway process: the load-robust measure of what a mode costs.
const cpuOf = (index: number) => results[index]?.cpuUsPerRequest ?? Number.NaN;
const lines = [
  `Command: \`npm run bench:telemetry\`. Machine: ${machine()}. The gateway on CPU ${GATEWAY_CPU} (each mode its own process, measured alone); the load generator (${CONCURRENCY} closed-loop clients), the four benchmark subgraphs and the OTLP sink on CPU ${LOAD_CPU}. Warm-up ${WARMUP_MS / 1000} s per mode, then ${ROUNDS} interleaved rounds of ${DURATION_MS / 1000} s, medians. OTLP requests received by the sink: ${spansReceived}.`,
  '',
  ...scenarioTable(results),
  '',
  '| mode | RPS relative to telemetry off | gateway CPU per request relative to telemetry off |',
  '|---|---|---|',
  ...MODES.map(
    ({ name }, index) =>
      `| ${name} | ${(rpsOf(index) / rpsOf(0)).toFixed(3)} | ${(cpuOf(index) / cpuOf(0)).toFixed(3)} |`,
  ),
  '',
  CPU_PER_REQUEST_NOTE,
  '',
  ...targetTable(checks),
];
if (DURATION_MS >= 5_000) publish('telemetry (gateway benchmark)', lines);
else process.stdout.write(`\n(smoke run, not recorded)\n${lines.join('\n')}\n`);
