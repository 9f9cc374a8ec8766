// `npm run bench:auth`: what authentication costs, side by side in one run — the gateway and the
// legacy adapter under the same load without credentials checked vs with a JWT (keys already
// fetched: warm JWKS) vs with an API key. Appends the table to docs/benchmarks.md.
//
// Gateway: one process; "off" is an anonymous request for public fields (no credential to check),
// "on" the same request with a credential. Adapter: the real one (main.ts, authentication at the
// edge) vs the same app without its authentication edge (bench/support/legacy-adapter-open.ts);
// both answer one hot invoice from the representation cache. The services measured (gateway,
// adapters) on CPU 0, each alone while measured; wrk and the gateway's subgraphs on CPU 1.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApiKey } from '@manifold/platform/auth';
import { startPhpServer } from '@manifold/platform/testing';
import {
  freePort,
  REPO_ROOT,
  startService,
  type ServiceProcess,
} from '../test/e2e/support/processes.ts';
import { startStack } from '../test/e2e/support/stack.ts';
import { clientCredentialsToken } from '../upstreams/identity-provider/src/tokens.ts';
import { pinTo } from './support/pin.ts';
import { cpuOfChild } from './support/process-cpu.ts';
import {
  CPU_PER_REQUEST_NOTE,
  lossChecks,
  machine,
  publish,
  scenarioTable,
  targetTable,
  type Check,
} from './support/report.ts';
import { measureInRounds, type Scenario, type ScenarioResult } from './support/rounds.ts';
import { requireWrk, runWrk } from './support/wrk.ts';

const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 10_000);
const WARMUP_MS = Math.min(5_000, DURATION_MS);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const CONCURRENCY = 16;
const SERVICE_CPU = '0';
const LOAD_CPU = '1';
requireWrk();
execFileSync('taskset', ['-a', '-pc', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });

const scratch = mkdtempSync(join(tmpdir(), 'bench-auth-'));
const accessFile = join(scratch, 'access.yaml');
writeFileSync(
  accessFile,
  `tiers: { partner: {} }
defaultTier: partner
clients:
  partner-demo:
    tier: partner
    scopes: [invoices:read, users:read]
`,
);
const apiKey = createApiKey(accessFile, { client: 'partner-demo' }).key;

const started: { stop: () => Promise<unknown> }[] = [];
const results: ScenarioResult[] = [];
try {
  const idpPort = await freePort();
  const idp = await startService({
    name: 'identity-provider',
    entry: 'upstreams/identity-provider/src/main.ts',
    port: idpPort,
    env: { IDP_DATA_DIR: join(scratch, 'idp'), IDP_ISSUER: `http://127.0.0.1:${idpPort}` },
    readyPath: '/healthz',
  });
  started.push(idp);
  const token = await clientCredentialsToken({
    issuer: idp.url,
    clientId: 'partner-demo',
    clientSecret: readFileSync(join(scratch, 'idp/secrets/clients/partner-demo'), 'utf8'),
    scope: 'invoices:read',
  });
  const auth = {
    ACCESS_FILE: accessFile,
    OIDC_ISSUER: idp.url,
    NODE_ENV: 'production',
    LOG_LEVEL: 'error',
    // Authentication alone is measured: the baseline adapter has no per-client limits to apply.
    RATE_LIMITS: 'off',
  };
  const monolith = await startPhpServer({
    router: join(REPO_ROOT, 'upstreams/php-monolith/router.php'),
    env: {
      LEGACY_DATABASE_PATH: join(scratch, 'legacy.sqlite'),
      LEGACY_SESSION_PATH: join(scratch, 'sessions'),
      LEGACY_TEST_HOOKS: '0',
    },
    workers: 2,
  });
  started.push(monolith);
  const adapter = (entry: string): Promise<ServiceProcess> =>
    freePort().then((port) =>
      startService({
        name: entry,
        entry,
        port,
        env: { ...auth, LEGACY_URL: monolith.url },
        readyPath: '/healthz',
        wrapCommand: pinTo(SERVICE_CPU),
      }),
    );
  const guarded = await adapter('legacy-rest-adapter/src/main.ts');
  started.push(guarded);
  const open = await adapter('bench/support/legacy-adapter-open.ts');
  started.push(open);
  const stack = await startStack({
    wrapCommand: { gateway: pinTo(SERVICE_CPU), subgraphs: pinTo(LOAD_CPU) },
    gatewayEnv: { ...auth, GATEWAY_IDENTITY_SECRET: 'bench-gateway-identity-secret-0123456789' },
    subgraphEnv: Object.fromEntries(
      ['users', 'products', 'orders', 'content'].map((name) => [
        name,
        { GATEWAY_IDENTITY_SECRET: 'bench-gateway-identity-secret-0123456789', LOG_LEVEL: 'error' },
      ]),
    ),
  });
  started.push(stack);

  const HOT = '/api/v2/invoices/120';
  const QUERY = JSON.stringify({
    query: '{ product(id: "1") { name price { amount currency } } }',
  });
  const bearer = { authorization: `Bearer ${token}` };
  const keyed = { 'x-api-key': apiKey };
  // Each scenario answers what it should (a 200 from the cache; a full GraphQL answer) before it is measured.
  for (const [url, headers] of [
    [`${open.url}${HOT}`, {}],
    [`${guarded.url}${HOT}`, bearer],
    [`${guarded.url}${HOT}`, keyed],
  ] as const) {
    await fetch(url, { headers });
    const response = await fetch(url, { headers });
    if (response.status !== 200 || response.headers.get('x-cache') !== 'HIT')
      throw new Error(`${url} is not answered from the cache (${response.status})`);
  }
  for (const headers of [{}, bearer, keyed]) {
    const response = await fetch(`${stack.gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: QUERY,
    });
    const body = (await response.json()) as { errors?: unknown };
    if (response.status !== 200 || body.errors)
      throw new Error(`the gateway answered ${JSON.stringify(body)}`);
  }
  const get = (
    name: string,
    service: ServiceProcess,
    headers: Record<string, string>,
  ): Scenario => ({
    name,
    concurrency: CONCURRENCY,
    cpuMs: cpuOfChild(service.child),
    run: (durationMs) =>
      runWrk({ url: `${service.url}${HOT}`, headers, connections: CONCURRENCY, durationMs }),
  });
  const graphql = (name: string, headers: Record<string, string>): Scenario => ({
    name,
    concurrency: CONCURRENCY,
    cpuMs: cpuOfChild(stack.gateway.child),
    run: (durationMs) =>
      runWrk({
        url: `${stack.gateway.url}/graphql`,
        connections: CONCURRENCY,
        durationMs,
        script: `wrk.method = "POST"
wrk.body = ${JSON.stringify(QUERY)}
wrk.headers["content-type"] = "application/json"
${Object.entries(headers)
  .map(([name, value]) => `wrk.headers["${name}"] = "${value}"`)
  .join('\n')}`,
      }),
  });
  results.push(
    ...(await measureInRounds(
      [
        graphql('gateway, no credentials (off)', {}),
        graphql('gateway, JWT (warm JWKS)', bearer),
        graphql('gateway, API key', keyed),
        get('adapter without authentication (off), cache hit', open, {}),
        get('adapter, JWT (warm JWKS), cache hit', guarded, bearer),
        get('adapter, API key, cache hit', guarded, keyed),
      ],
      {
        rounds: ROUNDS,
        durationMs: DURATION_MS,
        warmupMs: WARMUP_MS,
        onRun: ({ name, concurrency }, result, round) => {
          process.stdout.write(
            `round ${round}  ${name.padEnd(48)} c=${concurrency} ${result.rps.toFixed(0).padStart(7)} rps  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  errors ${result.errors}\n`,
          );
        },
      },
    )),
  );
} finally {
  for (const service of started.reverse()) await service.stop();
}

const find = (scenario: string) => {
  const found = results.find((result) => result.scenario === scenario);
  if (!found) throw new Error(`${scenario} did not run`);
  return found;
};
const compare = (door: string, off: string, on: string): Check[] => {
  const [base, guarded] = [find(off), find(on)];
  const added = guarded.result.p50Ms - base.result.p50Ms;
  return [
    ...lossChecks(`${door} (${on})`, base, guarded, 0.05),
    [`${door}: p50 added ≤ 0.2 ms (${on})`, `${added.toFixed(3)} ms`, added <= 0.2],
  ];
};
const checks: Check[] = [
  ...compare('gateway', 'gateway, no credentials (off)', 'gateway, JWT (warm JWKS)'),
  ...compare('gateway', 'gateway, no credentials (off)', 'gateway, API key'),
  ...compare(
    'adapter',
    'adapter without authentication (off), cache hit',
    'adapter, JWT (warm JWKS), cache hit',
  ),
  ...compare(
    'adapter',
    'adapter without authentication (off), cache hit',
    'adapter, API key, cache hit',
  ),
];
publish('authentication (JWT, API key)', [
  `Command: \`npm run bench:auth\` (wrk; each scenario warmed up for ${WARMUP_MS / 1000} s, then run ${ROUNDS} times for ${DURATION_MS / 1000} s in interleaved rounds; medians; c=${CONCURRENCY}). Machine: ${machine()}, loopback.`,
  `Gateway: \`{ product(id: "1") { name price { amount currency } } }\` anonymous vs with a JWT vs with an API key (the gateway signs each caller's identity for the subgraphs). Adapter: a cached invoice, from the adapter without its authentication edge vs the real one. The gateway and the adapters on CPU ${SERVICE_CPU} (each alone while measured), wrk and the gateway's subgraphs on CPU ${LOAD_CPU}. ${CPU_PER_REQUEST_NOTE}`,
  '',
  ...scenarioTable(results),
  '',
  ...targetTable(checks),
]);
