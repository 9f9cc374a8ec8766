// `npm run bench:telemetry`: what telemetry costs the gateway, on the standard gateway benchmark
// (test/fixtures/gateways-benchmark: its four subgraphs served locally, its query, 50 concurrent
// clients), in one run: telemetry off (OTEL_SDK_DISABLED) vs metrics only (the default: nothing
// exported) vs traces sampled at 10 % vs 100 % (OTLP/HTTP to a local sink). Prints the table
// and the ratios to "off", and appends them to docs/benchmarks.md (not for a smoke run under 5 s).
//
// Fair shares of a small machine: each gateway runs on CPU 0, alone while measured; this process
// (load generator, the subgraphs, the OTLP sink) on CPU 1.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Pool } from 'undici';
import { freePort, startService, type ServiceProcess } from '../test/e2e/support/processes.ts';
import {
  BENCHMARK_SUBGRAPHS,
  FIXTURE,
  serveBenchmarkSubgraphs,
} from './support/benchmark-subgraphs.ts';
import { runLoad } from './support/load.ts';
import { pinTo } from './support/pin.ts';
import { cpuOfChild } from './support/process-cpu.ts';
import { machine, publish, scenarioTable, targetTable, type Check } from './support/report.ts';
import { measureInRounds, type ScenarioResult } from './support/rounds.ts';

const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 20_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const WARMUP_MS = Math.min(15_000, DURATION_MS);
const CONCURRENCY = 50; // the benchmark's virtual users
const GATEWAY_CPU = '0';
const LOAD_CPU = '1';
const PINNED = process.env['BENCH_PIN'] !== '0';
if (PINNED)
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

const subgraphs = await serveBenchmarkSubgraphs();
const query = readFileSync(join(FIXTURE, 'query.graphql'), 'utf8');
const expected: unknown = JSON.parse(readFileSync(join(FIXTURE, 'expected-response.json'), 'utf8'));
const body = JSON.stringify({ query });
const gateways: ServiceProcess[] = [];
const results: ScenarioResult[] = [];
try {
  for (const mode of MODES)
    gateways.push(
      await startService({
        name: `gateway (${mode.name})`,
        entry: 'gateway/src/main.ts',
        port: await freePort(),
        env: {
          NODE_ENV: 'production',
          LOG_LEVEL: 'error',
          // Per-client rate limits (on in production) are bench:protection's subject, not this one's.
          RATE_LIMITS: 'off',
          // Production requires the key the gateway signs callers' identity with; the benchmark's
          // subgraphs ignore it, and the queries are anonymous.
          GATEWAY_IDENTITY_SECRET: 'bench-telemetry-identity-secret-0123456789',
          SUPERGRAPH_PATH: join(FIXTURE, 'supergraph.local.graphql'),
          // The benchmark's supergraph has no @listSize: each of its query's four nested lists is
          // assumed to hold 10 items, which prices it above the production maximum cost. Raised so
          // that it runs; its cost is still computed, as for every operation. No cost budget: a
          // load benchmark is one client spending far more than any budget allows.
          GRAPHQL_MAX_COST: '1000000',
          GRAPHQL_COST_BUDGET_PER_MINUTE: '0',
          ...Object.fromEntries(
            BENCHMARK_SUBGRAPHS.map((name) => [
              `SUBGRAPH_${name.toUpperCase()}_URL`,
              `${subgraphs.url}/${name}`,
            ]),
          ),
          ...('sampled' in mode
            ? {
                OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
                OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
                OTEL_TRACES_SAMPLER_ARG: mode.sampled,
              }
            : mode.env),
        },
        readyPath: '/readyz',
        ...(PINNED ? { wrapCommand: pinTo(GATEWAY_CPU) } : {}),
      }),
    );
  // Every gateway gives the benchmark's exact answer before any of them is measured.
  for (const gateway of gateways) {
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    if (!isDeepStrictEqual(await response.json(), expected))
      throw new Error(`${gateway.name} does not answer the benchmark's expected response`);
  }
  const pools = gateways.map((gateway) => new Pool(gateway.url, { connections: CONCURRENCY }));
  results.push(
    ...(await measureInRounds(
      MODES.map((mode, index) => {
        const pool = pools[index];
        const gateway = gateways[index];
        if (!pool || !gateway) throw new Error(`no gateway for ${mode.name}`);
        return {
          name: mode.name,
          concurrency: CONCURRENCY,
          cpuMs: cpuOfChild(gateway.child),
          run: (durationMs) =>
            runLoad(
              async () => {
                const response = await pool.request({
                  method: 'POST',
                  path: '/graphql',
                  headers: { 'content-type': 'application/json' },
                  body,
                });
                await response.body.dump();
                if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`);
              },
              { concurrency: CONCURRENCY, durationMs, warmupMs: 0 },
            ),
        };
      }),
      {
        rounds: ROUNDS,
        durationMs: DURATION_MS,
        warmupMs: WARMUP_MS,
        onRun: ({ name }, result, round) => {
          process.stdout.write(
            `round ${round} ${name.padEnd(34)} ${result.rps.toFixed(0).padStart(5)} rps  p50 ${result.p50Ms.toFixed(1)} ms\n`,
          );
        },
      },
    )),
  );
  await Promise.all(pools.map((pool) => pool.close()));
} finally {
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  await subgraphs.close();
  sink.close();
}

const resultOf = (name: string) => results.find((result) => result.scenario === name);
const rpsOf = (name: string) => resultOf(name)?.result.rps ?? Number.NaN;
const cpuOf = (name: string) => resultOf(name)?.cpuUsPerRequest ?? Number.NaN;
const off = rpsOf(MODES[0].name);
const loss = (name: string) => (off - rpsOf(name)) / off;
// On a saturated core throughput is 1 / CPU per request: the loss telemetry causes there, whether
// or not this run's load generator (sharing CPU 1 with the subgraphs) kept CPU 0 saturated.
const cpuLoss = (name: string) => 1 - cpuOf(MODES[0].name) / cpuOf(name);
const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
const checks: Check[] = [
  ...(
    [
      [MODES[1].name, 'metrics only', 0.03],
      [MODES[2].name, 'traces at 10 %', 0.07],
    ] as const
  ).flatMap(([mode, label, target]): Check[] => [
    [
      `${label}: throughput loss ≤ ${target * 100} % (measured RPS)`,
      percent(loss(mode)),
      loss(mode) <= target,
    ],
    [
      `${label}: throughput loss ≤ ${target * 100} % (saturated core, from CPU per request)`,
      percent(cpuLoss(mode)),
      cpuLoss(mode) <= target,
    ],
  ]),
  [
    'traces at 100 %: reported as measured (RPS · CPU)',
    `${percent(loss(MODES[3].name))} · ${percent(cpuLoss(MODES[3].name))}`,
    true,
  ],
];
const lines = [
  `Command: \`npm run bench:telemetry\`. Machine: ${machine()}. The gateway on CPU ${GATEWAY_CPU} (each mode its own process, measured alone); the load generator (${CONCURRENCY} closed-loop clients), the four benchmark subgraphs and the OTLP sink on CPU ${LOAD_CPU}. Warm-up ${WARMUP_MS / 1000} s per mode, then ${ROUNDS} interleaved rounds of ${DURATION_MS / 1000} s, medians. OTLP requests received by the sink: ${spansReceived}.`,
  '',
  ...scenarioTable(results),
  '',
  '| mode | RPS relative to telemetry off |',
  '|---|---|',
  ...MODES.map(({ name }) => `| ${name} | ${(rpsOf(name) / off).toFixed(3)} |`),
  '',
  `CPU per request is the gateway process's user + system time (/proc/<pid>/stat) over a round divided by the requests it answered; throughput on a saturated core is its inverse.`,
  '',
  ...targetTable(checks),
];
if (DURATION_MS >= 5_000) publish('telemetry (gateway benchmark)', lines);
else process.stdout.write(`\n(smoke run, not recorded)\n${lines.join('\n')}\n`);
