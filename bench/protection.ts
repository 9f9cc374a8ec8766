// `npm run bench:protection`: what traffic protection costs the gateway and what it buys, in one
// run, on the standard gateway benchmark (test/fixtures/gateways-benchmark: its four subgraphs
// served locally, its query):
//   1. protection off vs on — per-client rate limits and cost budget counted in Redis, plus
//      whatever operation limits (depth, aliases, cost) the gateway applies by default — at 50
//      concurrent clients, side by side: throughput loss ≤ 5 %;
//   2. a normal client's throughput alone vs during a flood of 5,000-alias queries from another
//      client at 50 connections (protection on): loss ≤ 10 %. The flooder is on a production tier
//      (deploy/access.yaml's `partner` request limits, the default cost budget
//      GRAPHQL_COST_BUDGET_PER_MINUTE); its refused documents are charged to its budget, which
//      they use up at once, and it is then refused 429 before its requests are read (each
//      refusal held 1 s, a tarpit), as production would refuse it. The normal client is on a
//      tier whose limits it never reaches.
// Prints the tables and the ratios, and appends them to docs/benchmarks.md (not for a smoke run
// under 5 s: BENCH_DURATION_MS=3000 BENCH_ROUNDS=1 npm run bench:protection).
//
// Fair shares of a small machine: each gateway runs on CPU 0, alone while measured; this process
// (load generator, the subgraphs) on CPU 1; the counters in the machine's Redis (REDIS_URL). The
// flood comes from a child process on CPU 1 at `nice -n 19`: an attacker's CPU is not ours, and
// at equal priority its 260 KB requests would take CPU 1 from the subgraphs and the load
// generator the normal client needs — measuring the benchmark machine, not the gateway.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createApiKey } from '@manifold/platform/auth';
import { requireRedis } from '@manifold/platform/testing';
import {
  benchmarkQueryLoad,
  benchmarkScenarios,
  startBenchmarkGateways,
} from './support/gateway-benchmark.ts';
import {
  CPU_PER_REQUEST_NOTE,
  lossChecks,
  machine,
  publish,
  scenarioTable,
  targetTable,
  type Check,
} from './support/report.ts';
import { measureInRounds, type Scenario } from './support/rounds.ts';

const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 20_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const WARMUP_MS = Math.min(15_000, DURATION_MS);
const CONCURRENCY = 50; // the benchmark's virtual users
const NORMAL_CONCURRENCY = 10; // the normal client of part 2
const FLOOD_CONNECTIONS = 50;
const FLOOD_ALIASES = 5_000;
const FLOOD_SCRIPT = fileURLToPath(new URL('./support/flood.ts', import.meta.url));
const GATEWAY_CPU = '0';
const LOAD_CPU = '1';
const PINNED = process.env['BENCH_PIN'] !== '0';
if (PINNED)
  execFileSync('taskset', ['-a', '-pc', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });

const redisUrl = await requireRedis();

// The normal client on a tier whose limits and budget are never reached: counted (one Redis round
// trip per limit per request, and one for the cost budget) but never refused, so only their cost
// is measured. The flooder on production's partner tier, with the gateway's default cost budget.
const scratch = mkdtempSync(join(tmpdir(), 'bench-protection-'));
const accessFile = join(scratch, 'access.yaml');
writeFileSync(
  accessFile,
  `tiers:
  bench:
    rateLimits:
      - { name: bench-burst, requests: 1000000, windowSeconds: 1 }
      - { name: bench, requests: 100000000, windowSeconds: 60 }
    graphqlCost: { budgetPerMinute: 1000000000000 }
  partner:
    rateLimits:
      - { name: partner-burst, requests: 50, windowSeconds: 1 }
      - { name: partner, requests: 3000, windowSeconds: 60 }
defaultTier: bench
clients:
  normal: { tier: bench }
  flooder: { tier: partner }
`,
);
const normalKey = createApiKey(accessFile, { client: 'normal' }).key;
const flooderKey = createApiKey(accessFile, { client: 'flooder' }).key;

// The benchmark's supergraph has no @listSize: each of its query's nested lists is assumed to hold
// 10 items, which prices it (~25,000) above the production maximum cost (5,000). "On" raises the
// maximum so that the query runs — its cost still computed and counted against the budget. The
// default budget (150,000) stays: a refused flood document is charged the maximum (100,000).
const MODES = [
  {
    name: 'protection off',
    env: { RATE_LIMITS: 'off', GRAPHQL_OPERATION_LIMITS: 'off' },
  },
  {
    name: 'protection on (rate limits, cost budget in Redis)',
    env: {
      RATE_LIMITS: 'on',
      REDIS_URL: redisUrl,
      GRAPHQL_MAX_COST: '100000',
    },
  },
] as const;

const flood = JSON.stringify({
  query: `{ ${Array.from(
    { length: FLOOD_ALIASES },
    (_, index) => `p${index}: topProducts(first: 5) { name shippingEstimate }`,
  ).join(' ')} }`,
});
const floodFile = join(scratch, 'flood.json');
writeFileSync(floodFile, flood);
const normal = { 'x-api-key': normalKey };

// Every gateway gives the benchmark's exact answer (checked as it starts), and the protected one counts it.
const { gateways, stop } = await startBenchmarkGateways({
  modes: MODES,
  cpu: GATEWAY_CPU,
  connections: CONCURRENCY,
  env: { ACCESS_FILE: accessFile },
  headers: normal,
});
let floodAnswers: Record<string, number> = {};
const results = await (async () => {
  const [off, on] = gateways;
  if (!off || !on) throw new Error('the gateways did not start');
  const counted = await fetch(`${on.service.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...normal },
    body: '{"query":"{ __typename }"}',
  });
  if (counted.headers.get('ratelimit') === null)
    throw new Error(`${on.service.name} does not count requests (no RateLimit header)`);
  // The flood's answers by status: refused early (400/429) is what protection should make of it.
  const flooding = async (durationMs: number) => {
    const task = {
      url: on.service.url,
      headers: { 'content-type': 'application/json', 'x-api-key': flooderKey },
      bodyFile: floodFile,
      connections: FLOOD_CONNECTIONS,
      durationMs,
    };
    const child = spawn(
      'nice',
      ['-n', '19', process.execPath, FLOOD_SCRIPT, JSON.stringify(task)],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const exited = once(child, 'exit');
    const lines = createInterface({ input: child.stdout });
    const outputs = lines[Symbol.asyncIterator]();
    if ((await outputs.next()).value !== 'ready') throw new Error('the flood did not start');
    return {
      start: () => child.stdin.write('go\n'),
      answers: async () => {
        const { value } = await outputs.next();
        await exited;
        return JSON.parse(String(value)) as Record<string, number>;
      },
    };
  };
  // The normal client of part 2. No CPU per request here: during the flood the gateway's CPU is
  // mostly the flood's, not the normal client's.
  const normalLoad = benchmarkQueryLoad(on.pool, {
    concurrency: NORMAL_CONCURRENCY,
    headers: normal,
  });
  const normalAlone: Scenario = {
    name: 'normal client alone (protection on)',
    concurrency: NORMAL_CONCURRENCY,
    run: normalLoad,
  };
  const normalDuringFlood: Scenario = {
    name: `normal client during a ${FLOOD_ALIASES}-alias flood at ${FLOOD_CONNECTIONS} connections`,
    concurrency: NORMAL_CONCURRENCY,
    run: async (durationMs) => {
      const attack = await flooding(durationMs);
      attack.start();
      const [result, answers] = await Promise.all([normalLoad(durationMs), attack.answers()]);
      floodAnswers = answers;
      return result;
    },
  };
  return measureInRounds(
    [
      ...benchmarkScenarios(gateways, { concurrency: CONCURRENCY, headers: normal }),
      normalAlone,
      normalDuringFlood,
    ],
    {
      rounds: ROUNDS,
      durationMs: DURATION_MS,
      warmupMs: WARMUP_MS,
      onRun: ({ name }, result, round) => {
        process.stdout.write(
          `round ${round} ${name.padEnd(62)} ${result.rps.toFixed(0).padStart(5)} rps  p50 ${result.p50Ms.toFixed(1)} ms\n`,
        );
      },
    },
  );
})().finally(stop);

const rpsOf = (index: number) => results[index]?.result.rps ?? Number.NaN;
const floodLoss = (rpsOf(2) - rpsOf(3)) / rpsOf(2);
const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
const checks: Check[] = [
  ...lossChecks('protection on', results[0], results[1], 0.05),
  [
    `${FLOOD_ALIASES}-alias flood at ${FLOOD_CONNECTIONS} connections: normal client's loss ≤ 10 %`,
    percent(floodLoss),
    floodLoss <= 0.1,
  ],
];
const lines = [
  `Command: \`npm run bench:protection\`. Machine: ${machine()}. Each gateway on CPU ${GATEWAY_CPU} (NODE_ENV=production, measured alone); the load generator and the four benchmark subgraphs on CPU ${LOAD_CPU}, the flood from a child process on CPU ${LOAD_CPU} at \`nice -n 19\` (an attacker's CPU is not ours); counters in Redis at ${redisUrl}. Both clients authenticate with an API key: the normal client on a tier whose limits and cost budget are counted but never reached, the flooder on production's partner tier (50/s, 3,000/min) with the default cost budget (150,000 per minute; each refused flood document charged the maximum cost, 100,000 here; once it is used up, each request refused from memory before its body is read, the 429 held 1 s). Warm-up ${WARMUP_MS / 1000} s per scenario, then ${ROUNDS} interleaved rounds of ${DURATION_MS / 1000} s, medians. The flood's answers in the last round, by HTTP status: ${JSON.stringify(floodAnswers)}. ${CPU_PER_REQUEST_NOTE}`,
  '',
  ...scenarioTable(results),
  '',
  `Ratios: protection on / off = ${(rpsOf(1) / rpsOf(0)).toFixed(3)}; normal client during the flood / alone = ${(rpsOf(3) / rpsOf(2)).toFixed(3)}.`,
  '',
  ...targetTable(checks),
];
if (DURATION_MS >= 5_000) publish('traffic protection (gateway benchmark)', lines);
else process.stdout.write(`\n(smoke run, not recorded)\n${lines.join('\n')}\n`);
