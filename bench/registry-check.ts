// `npm run bench:registry-check`: how long the registry takes to check a 5,000-line subgraph SDL
// against 30 days of usage for 1,000 distinct operations (target ≤ 2 s), over HTTP, as the CLI
// asks it. SQLite by default; REGISTRY_DATABASE_URL=postgres://… measures the PostgreSQL store.
// Appends its figures to docs/benchmarks.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createHash } from 'node:crypto';
import { listen } from '@manifold/platform/http';
import { silentLogger } from '@manifold/platform/testing';
import { createApp } from '../registry/src/app.ts';
import { createWorkerComposer } from '../registry/src/composition/composer.ts';
import { repositorySubgraphs } from '../registry/src/seed.ts';
import { openStore } from '../registry/src/store/open-store.ts';
import type { UsageEntry } from '../registry/src/store/store.ts';
import { machine, publish, targetTable } from './support/report.ts';

const TYPES = 250;
const FIELDS = 15;
const OPERATIONS = 1_000;
// BENCH_DAYS shortens a smoke run; the figures that count use 30.
const DAYS = Number(process.env['BENCH_DAYS'] ?? 30);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const CLIENTS = [
  { name: 'web', version: '4.2.0' },
  { name: 'ios', version: '3.1.0' },
  { name: 'android', version: '3.0.9' },
];

/** A subgraph of TYPES entity types with FIELDS fields each, about 5,000 lines. */
function catalogSdl(
  change: (type: number, field: number) => 'keep' | 'drop' = () => 'keep',
): string {
  const lines = [
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])',
    '',
    'type Query {',
  ];
  for (let type = 0; type < TYPES; type++)
    lines.push(`  catalogItem${type}(id: ID!): CatalogItem${type}`);
  lines.push('}', '');
  for (let type = 0; type < TYPES; type++) {
    lines.push(
      `"Catalogue entry kind ${type}."`,
      `type CatalogItem${type} @key(fields: "id") {`,
      '  id: ID!',
    );
    for (let field = 0; field < FIELDS; field++)
      if (change(type, field) === 'keep') lines.push(`  field${field}: String`);
    lines.push('}', '');
  }
  return lines.join('\n');
}

const baseline = catalogSdl();
// 50 fields that operations use are removed (errors), 50 that none uses (warnings).
const proposal = catalogSdl((type, field) =>
  (type < 50 && field === 3) || (type >= 50 && type < 100 && field === 14) ? 'drop' : 'keep',
);

const directory = mkdtempSync(join(tmpdir(), 'bench-registry-'));
const store = await openStore({
  databaseUrl: process.env['REGISTRY_DATABASE_URL'],
  databasePath: join(directory, 'registry.sqlite'),
});
const composer = createWorkerComposer();
const logger = silentLogger('registry');
const app = createApp({
  store,
  composer,
  logger,
  production: true,
  scopesFor: () => 'public',
});
await app.start();
await app.registry.seed(repositorySubgraphs());
const published = await app.registry.publish({
  subgraph: 'catalog',
  sdl: baseline,
  url: 'http://127.0.0.1:4999/graphql',
  force: false,
  publishedBy: 'bench',
});
if (!published.published) throw new Error('the baseline catalog did not publish');

// 30 days × 24 hours × 1,000 operations, each hour's runs from one of three clients.
const operations = Array.from({ length: OPERATIONS }, (_, index) => {
  const type = index % TYPES;
  const fields = Array.from(
    { length: 10 },
    (_, field) => `field${(field + Math.floor(index / TYPES)) % FIELDS}`,
  );
  const signature = `query Op${index}($id:ID!){catalogItem${type}(id:$id){${fields.join(' ')}}}`;
  return {
    hash: createHash('sha256').update(signature).digest('hex'),
    name: `Op${index}`,
    signature,
    coordinates: [
      `Query.catalogItem${type}`,
      `Query.catalogItem${type}(id:)`,
      ...fields.map((field) => `CatalogItem${type}.${field}`),
    ],
  };
});
const loadStarted = performance.now();
const now = Math.floor(Date.now() / 3_600_000) * 3_600_000;
for (let hour = 0; hour < DAYS * 24; hour++) {
  const entries: UsageEntry[] = operations.map((operation, index) => ({
    hour: new Date(now - hour * 3_600_000),
    operation,
    client: CLIENTS[(index + hour) % CLIENTS.length] ?? { name: null, version: null },
    count: 1 + ((index * 7 + hour) % 20),
    coordinates: operation.coordinates,
  }));
  await store.recordUsage(entries);
}
const loadSeconds = (performance.now() - loadStarted) / 1_000;

const { server, url } = await listen(app.handler, { port: 0, host: '127.0.0.1' });
const timings: number[] = [];
let lastReport:
  { ok: boolean; errors: unknown[]; warnings: unknown[]; changes: unknown[] } | undefined;
try {
  for (let run = 0; run <= RUNS; run++) {
    const started = performance.now();
    const response = await fetch(`${url}/subgraphs/catalog/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sdl: proposal }),
    });
    lastReport = (await response.json()) as typeof lastReport;
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`check answered ${response.status}`);
    // Run 0 warms the worker up (module loading, JIT); the target is about a warm registry.
    if (run > 0) timings.push(elapsed);
  }
} finally {
  app.close();
  server.close();
  await composer.close();
  await store.close();
  rmSync(directory, { recursive: true, force: true });
}

if (
  !lastReport ||
  lastReport.ok ||
  lastReport.errors.length !== 50 ||
  lastReport.warnings.length !== 50
)
  throw new Error(
    `unexpected check report: ok=${lastReport?.ok}, ${lastReport?.errors.length} errors, ${lastReport?.warnings.length} warnings (expected 50 and 50)`,
  );
timings.sort((a, b) => a - b);
const median = timings[Math.floor(timings.length / 2)] ?? Number.NaN;
const worst = timings.at(-1) ?? Number.NaN;
publish(`registry check (5,000-line SDL, ${DAYS} days of usage)`, [
  `Command: \`npm run bench:registry-check\` (${store.kind} store; one warm-up check, then ${RUNS} checks over HTTP; in-process registry, composition in its worker thread). Machine: ${machine()}, loopback.`,
  `Subgraph \`catalog\`: ${baseline.split('\n').length} lines (${TYPES} entity types × ${FIELDS} fields) composed with the four repository subgraphs; the proposal removes 100 fields (50 used → errors listing operations and clients, 50 unused → warnings). Usage: ${OPERATIONS} operations × ${DAYS * 24} hours (${(OPERATIONS * DAYS * 24).toLocaleString('en')} hourly counts, 3 clients), loaded in ${loadSeconds.toFixed(1)} s.`,
  '',
  '| check | median ms | worst ms | runs (ms) |',
  '|---|---|---|---|',
  `| 5,000-line SDL vs ${DAYS} days × 1,000 operations | ${median.toFixed(0)} | ${worst.toFixed(0)} | ${timings.map((timing) => timing.toFixed(0)).join(' · ')} |`,
  '',
  ...targetTable([
    ['check answers in ≤ 2 s (median)', `${(median / 1_000).toFixed(2)} s`, median <= 2_000],
  ]),
]);
