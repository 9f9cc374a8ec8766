// `npm run bench:usage`: what usage reporting costs the gateway, on the standard gateway benchmark
// (test/fixtures/gateways-benchmark: its four subgraphs served locally, its query, 50 concurrent
// clients), in one run: usage reporting off vs on (USAGE_REPORTING_URL: reports every 10 s to a
// local sink that acknowledges them as the registry's `POST /usage` does). Prints the table and
// the ratio to "off", and appends them to docs/benchmarks.md (not for a smoke run under 5 s).
//
// Fair shares of a small machine: each gateway runs on CPU 0, alone while measured; this process
// (load generator, the subgraphs, the sink) on CPU 1.
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
] as const;

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
          // Production requires the key the gateway signs callers' identity with; the benchmark's
          // subgraphs ignore it, and the queries are anonymous.
          GATEWAY_IDENTITY_SECRET: 'bench-usage-identity-secret-0123456789abcdef',
          // Only usage reporting differs between the two. The benchmark's query is priced above the
          // production maximum cost (its supergraph has no @listSize), and 50 anonymous clients from
          // one address would meet the anonymous tier's limits: bench:protection measures those.
          GRAPHQL_MAX_COST: '1000000',
          GRAPHQL_COST_BUDGET_PER_MINUTE: '0',
          RATE_LIMITS: 'off',
          SUPERGRAPH_PATH: join(FIXTURE, 'supergraph.local.graphql'),
          ...Object.fromEntries(
            BENCHMARK_SUBGRAPHS.map((name) => [
              `SUBGRAPH_${name.toUpperCase()}_URL`,
              `${subgraphs.url}/${name}`,
            ]),
          ),
          ...mode.env,
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
    const answer: unknown = await response.json();
    if (!isDeepStrictEqual(answer, expected))
      throw new Error(
        `${gateway.name} does not answer the benchmark's expected response: ${JSON.stringify(answer).slice(0, 300)}`,
      );
  }
  const pools = gateways.map((gateway) => new Pool(gateway.url, { connections: CONCURRENCY }));
  results.push(
    ...(await measureInRounds(
      MODES.map((mode, index) => {
        const pool = pools[index];
        if (!pool) throw new Error(`no gateway for ${mode.name}`);
        return {
          name: mode.name,
          concurrency: CONCURRENCY,
          run: (durationMs) =>
            runLoad(
              async () => {
                const response = await pool.request({
                  method: 'POST',
                  path: '/graphql',
                  // A named client, as Apollo Client sends it: what the reports are keyed by.
                  headers: {
                    'content-type': 'application/json',
                    'apollographql-client-name': 'bench',
                    'apollographql-client-version': '1.0.0',
                  },
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
            `round ${round} ${name.padEnd(22)} ${result.rps.toFixed(0).padStart(5)} rps  p50 ${result.p50Ms.toFixed(1)} ms\n`,
          );
        },
      },
    )),
  );
  await Promise.all(pools.map((pool) => pool.close()));
} finally {
  // The "on" gateway sends what it still holds as it stops: the sink's counts include it.
  await Promise.all(gateways.map((gateway) => gateway.stop()));
  await subgraphs.close();
  sink.close();
}

const rpsOf = (name: string) =>
  results.find((result) => result.scenario === name)?.result.rps ?? Number.NaN;
const off = rpsOf(MODES[0].name);
const loss = (off - rpsOf(MODES[1].name)) / off;
const checks: Check[] = [
  [
    'usage reporting on: throughput loss ≤ 3 %',
    `${(loss * 100).toFixed(1)} %`,
    loss <= 0.03 && reports > 0,
  ],
];
const lines = [
  `Command: \`npm run bench:usage\`. Machine: ${machine()}. The gateway on CPU ${GATEWAY_CPU} (each mode its own process, measured alone); the load generator (${CONCURRENCY} closed-loop clients), the four benchmark subgraphs and the usage sink on CPU ${LOAD_CPU}. Warm-up ${WARMUP_MS / 1000} s per mode, then ${ROUNDS} interleaved rounds of ${DURATION_MS / 1000} s, medians. Usage reports received by the sink: ${reports} (${entries} entries).`,
  '',
  ...scenarioTable(results),
  '',
  '| mode | RPS relative to usage reporting off |',
  '|---|---|',
  ...MODES.map(({ name }) => `| ${name} | ${(rpsOf(name) / off).toFixed(3)} |`),
  '',
  ...targetTable(checks),
];
if (DURATION_MS >= 5_000) publish('usage reporting (gateway benchmark)', lines);
else process.stdout.write(`\n(smoke run, not recorded)\n${lines.join('\n')}\n`);
