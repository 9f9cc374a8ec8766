// `npm run bench:attack-queries`: issue 11's attack queries against the real gateway over our four
// subgraphs (real processes, full-size seed), with the operation limits off and on (production
// defaults), one fresh gateway per query so each peak RSS is its own. Per query: the answer, wall
// time, gateway CPU (utime + stime from /proc), peak RSS (VmHWM), subgraph requests (counted by a
// relay in front of each subgraph) and the slowest trivial query a bystander sent meanwhile.
// Prints the table and appends it to docs/benchmarks.md (not for a smoke run: BENCH_SMOKE=1 sends
// smaller attacks and records nothing).
//
// The gateway runs on CPU 0, everything else (subgraphs, relays, this process) on CPU 1.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testGatewayIdentity } from '@manifold/platform/testing';
import { SUBGRAPH_NAMES, type SubgraphName } from '@manifold/platform/contracts';
import { e2eAccess } from '../test/e2e/support/access.ts';
import { freePort, startService, type ServiceProcess } from '../test/e2e/support/processes.ts';
import { databasePath } from '../test/e2e/support/stack.ts';
import { aliasQuery, COSTLY_QUERY, deepQuery } from '../test/support/attack-queries.ts';
import { STOREFRONT_QUERY } from '../test/support/storefront.ts';
import { pinTo } from './support/pin.ts';
import { machine, publish } from './support/report.ts';

const SMOKE = process.env['BENCH_SMOKE'] === '1';
const PINNED = process.env['BENCH_PIN'] !== '0';
const GATEWAY_CPU = '0';
const OTHERS_CPU = '1';
/** `BENCH_QUERY=aliases BENCH_MODE=×20` runs only the matching queries and modes (a probe; not recorded). */
const ONLY_QUERY = process.env['BENCH_QUERY'] ?? '';
const ONLY_MODE = process.env['BENCH_MODE'] ?? '';
const ATTACK_TIMEOUT_MS = 180_000;
const PROBE_EVERY_MS = 250;
const IDLE_WAIT_MAX_MS = 120_000;
/** Four idle subgraphs use a few ms of CPU per second between them (timers, metrics). */
const IDLE_CPU_MS_PER_SECOND = 40;
if (PINNED)
  execFileSync('taskset', ['-a', '-pc', OTHERS_CPU, String(process.pid)], { stdio: 'ignore' });
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

const QUERIES = [
  {
    name: 'storefront (normal traffic)',
    body: JSON.stringify({ query: STOREFRONT_QUERY, variables: { userId: '1' } }),
  },
  {
    name: `${SMOKE ? 50 : 200}-deep`,
    body: JSON.stringify({ query: deepQuery(SMOKE ? 50 : 200) }),
  },
  {
    name: `${SMOKE ? 500 : 5_000} aliases`,
    body: JSON.stringify({ query: aliasQuery(SMOKE ? 500 : 5_000) }),
  },
  { name: 'users(first: 100) × orders(first: 100)', body: JSON.stringify({ query: COSTLY_QUERY }) },
] as const;
// Bodies are serialised once: the time measured is the gateway's, not this process's JSON.stringify.
const BYSTANDER_BODY = JSON.stringify({ query: '{ __typename }' });
/**
 * A mode's attack is sent once, to a gateway that has only answered a normal query (its first
 * rejection pays for warming up the code that rejects); with `repeats`, once more unmeasured, then
 * `repeats` times measured (median time, CPU per request): the steady cost of a rejection. The
 * repeated mode has no per-client cost budget — each rejection is charged the maximum cost, and
 * with the default budget the third would be a 429 from the budget instead of the limit's 400.
 */
const MODES: readonly { name: string; env: Record<string, string>; repeats?: number }[] = [
  { name: 'off', env: { GRAPHQL_OPERATION_LIMITS: 'off' } },
  { name: 'on', env: {} },
  { name: 'on, ×20 (median)', env: { GRAPHQL_COST_BUDGET_PER_MINUTE: '0' }, repeats: 20 },
];

/** A relay in front of a subgraph that counts the GraphQL requests reaching it. */
interface CountingRelay {
  url: string;
  calls: number;
  server: Server;
}
function startRelay(target: string): Promise<CountingRelay> {
  const upstream = new URL(target);
  const relay: CountingRelay = { url: '', calls: 0, server: createServer() };
  relay.server.on('request', (req, res) => {
    if (req.url?.startsWith('/graphql')) relay.calls++;
    const forwarded = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: upstream.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forwarded.on('error', (error) => res.writeHead(502).end(String(error)));
    req.pipe(forwarded);
  });
  return new Promise((resolve) =>
    relay.server.listen(0, '127.0.0.1', () => {
      relay.url = `http://127.0.0.1:${(relay.server.address() as AddressInfo).port}/graphql`;
      resolve(relay);
    }),
  );
}

/** CPU seconds (user + system) and peak RSS of a process, from /proc; undefined once it is gone. */
function processUsage(pid: number): { cpuMs: number; peakRssMb: number } | undefined {
  let stat: string;
  let status: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  // Fields after the command name (which may hold spaces) — utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return { cpuMs: (ticks / CLOCK_TICKS) * 1000, peakRssMb: Number(hwm) / 1024 };
}

/**
 * Waits until the subgraphs have finished what an earlier attack left them (the 5,000-alias query
 * with limits off queues thousands of subgraph requests that go on after the gateway is stopped):
 * they share a core with this process, so their leftovers would be counted as the next attack's time.
 */
async function subgraphsIdle(pids: readonly number[]): Promise<void> {
  const busyMs = () => pids.reduce((sum, pid) => sum + (processUsage(pid)?.cpuMs ?? 0), 0);
  const deadline = Date.now() + IDLE_WAIT_MAX_MS;
  for (let last = busyMs(); Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const now = busyMs();
    if (now - last <= IDLE_CPU_MS_PER_SECOND) return;
    last = now;
  }
}

/** The last non-empty line a process printed (why it died), trimmed for a table cell. */
function lastLine(output: string): string {
  const line = output.trim().split('\n').at(-1) ?? '';
  return line.replaceAll('|', '/').slice(0, 120);
}

interface Row {
  query: string;
  limits: string;
  answer: string;
  timeMs: number;
  cpuMs: number;
  peakRssMb: number;
  subgraphCalls: number;
  slowestBystanderMs: number;
}

const identity = testGatewayIdentity();
const access = e2eAccess(['users:read', 'orders:read']);
const subgraphs: ServiceProcess[] = [];
const relays = {} as Record<SubgraphName, CountingRelay>;
const rows: Row[] = [];
try {
  for (const name of SUBGRAPH_NAMES) {
    const subgraph = await startService({
      name,
      entry: `subgraphs/${name}/src/main.ts`,
      port: await freePort(),
      env: {
        NODE_ENV: 'production',
        LOG_LEVEL: 'error',
        [`${name.toUpperCase()}_DATABASE_PATH`]: databasePath(name),
        GATEWAY_IDENTITY_SECRET: identity.secret,
      },
      readyPath: '/healthz',
      ...(PINNED ? { wrapCommand: pinTo(OTHERS_CPU) } : {}),
    });
    subgraphs.push(subgraph);
    relays[name] = await startRelay(`${subgraph.url}/graphql`);
  }
  const totalCalls = () => SUBGRAPH_NAMES.reduce((sum, name) => sum + relays[name].calls, 0);

  for (const query of QUERIES.filter((q) => q.name.includes(ONLY_QUERY)))
    for (const mode of MODES.filter((m) => m.name.includes(ONLY_MODE))) {
      const gateway = await startService({
        name: `gateway (limits ${mode.name})`,
        entry: 'gateway/src/main.ts',
        port: await freePort(),
        env: {
          NODE_ENV: 'production',
          LOG_LEVEL: 'error',
          GATEWAY_IDENTITY_SECRET: identity.secret,
          ACCESS_FILE: access.ACCESS_FILE,
          ...Object.fromEntries(
            SUBGRAPH_NAMES.map((name) => [`SUBGRAPH_${name.toUpperCase()}_URL`, relays[name].url]),
          ),
          ...mode.env,
          ...(process.env['BENCH_GATEWAY_NODE_OPTIONS']
            ? { NODE_OPTIONS: process.env['BENCH_GATEWAY_NODE_OPTIONS'] }
            : {}),
        },
        readyPath: '/readyz',
        ...(PINNED ? { wrapCommand: pinTo(GATEWAY_CPU) } : {}),
      });
      try {
        const pid = gateway.child.pid ?? 0;
        await subgraphsIdle(subgraphs.map((subgraph) => subgraph.child.pid ?? 0));
        const post = (body: string, timeoutMs: number) =>
          fetch(`${gateway.url}/graphql`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              accept: 'application/graphql-response+json',
              'x-api-key': access.key,
            },
            body,
            signal: AbortSignal.timeout(timeoutMs),
          });
        // A normal query first, so start-up work (first plan, first parse) is not counted as the
        // attack's; and the bystander's query once, so its first plan does not run on the
        // gateway's core while the attack's first rejection is being timed.
        await (await post(QUERIES[0].body, 60_000)).text();
        await (await post(BYSTANDER_BODY, 60_000)).text();
        const send = async (): Promise<string> => {
          try {
            const response = await post(query.body, ATTACK_TIMEOUT_MS);
            const body = (await response.json()) as {
              errors?: { extensions?: { code?: string; limit?: string } }[];
            };
            const error = body.errors?.[0]?.extensions;
            return error
              ? `${response.status} ${error.code ?? '?'}${error.limit ? ` (${error.limit})` : ''}${body.errors && body.errors.length > 1 ? ` +${body.errors.length - 1} errors` : ''}`
              : `${response.status} data`;
          } catch (error) {
            return `no answer (${(error as Error).name})`;
          }
        };
        const repeats = mode.repeats ?? 0;
        if (repeats > 0) await send();
        const before = processUsage(pid);
        if (!before) throw new Error(`the gateway (pid ${pid}) is gone before the attack`);
        // Read while the attack runs too: if the attack kills the gateway, its last reading stands.
        let lastUsage = before;
        const callsBefore = totalCalls();
        let slowestBystanderMs = 0;
        const attackOver = new AbortController();
        const bystander = (async () => {
          while (!attackOver.signal.aborted) {
            const sent = performance.now();
            try {
              await (await post(BYSTANDER_BODY, ATTACK_TIMEOUT_MS)).text();
            } catch {
              // Timed out: its wait is still what a bystander saw.
            }
            slowestBystanderMs = Math.max(slowestBystanderMs, performance.now() - sent);
            lastUsage = processUsage(pid) ?? lastUsage;
            await new Promise((resolve) => setTimeout(resolve, PROBE_EVERY_MS));
          }
        })();
        let answer = '';
        let timeMs: number;
        if (repeats === 0) {
          const started = performance.now();
          answer = await send();
          timeMs = performance.now() - started;
        } else {
          const times: number[] = [];
          for (let sent = 0; sent < repeats; sent++) {
            const started = performance.now();
            answer = await send();
            times.push(performance.now() - started);
          }
          times.sort((a, b) => a - b);
          timeMs = times[Math.floor(times.length / 2)] ?? Number.NaN;
        }
        attackOver.abort();
        await bystander;
        const after = processUsage(pid);
        const { exitCode, signalCode } = gateway.child;
        const died = !after || exitCode !== null || signalCode !== null;
        const row: Row = {
          query: query.name,
          limits: mode.name,
          // A gateway the attack killed: its CPU and RSS are the last readings before it died.
          answer: died
            ? `gateway died (${signalCode ?? `exit ${exitCode ?? '?'}`}): ${lastLine(gateway.output())}`
            : answer,
          timeMs,
          cpuMs: ((after ?? lastUsage).cpuMs - before.cpuMs) / Math.max(1, repeats),
          peakRssMb: (after ?? lastUsage).peakRssMb,
          subgraphCalls: totalCalls() - callsBefore,
          slowestBystanderMs,
        };
        rows.push(row);
        process.stdout.write(`${JSON.stringify(row)}\n`);
      } finally {
        await gateway.stop();
      }
    }
} finally {
  for (const relay of Object.values(relays)) relay.server.close();
  await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
}

const lines = [
  `Command: \`npm run bench:attack-queries\`. Machine: ${machine()}. The gateway (NODE_ENV=production, an API key with users:read and orders:read) on CPU ${GATEWAY_CPU}, a fresh process per query and mode; the four subgraphs (full-size seed), a request-counting relay in front of each and this process on CPU ${OTHERS_CPU}. Limits "on" are the production defaults (GRAPHQL_OPERATION_LIMITS=enforce); "off" is GRAPHQL_OPERATION_LIMITS=off. Time: the attack request, sent once (for "×20": sent once unmeasured, then 20 times, the median; no cost budget); CPU: the gateway's user + system time meanwhile (for "×20": per request, /proc's 10 ms ticks ÷ 20); RSS: the gateway's peak; bystander: the slowest \`{ __typename }\` sent every ${PROBE_EVERY_MS} ms meanwhile.`,
  '',
  '| query | limits | answer | time ms | gateway CPU ms | peak RSS MB | subgraph calls | slowest bystander ms |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (row) =>
      `| ${row.query} | ${row.limits} | ${row.answer} | ${row.timeMs.toFixed(1)} | ${row.cpuMs.toFixed(0)} | ${row.peakRssMb.toFixed(0)} | ${row.subgraphCalls} | ${row.slowestBystanderMs.toFixed(1)} |`,
  ),
];
if (SMOKE || ONLY_QUERY || ONLY_MODE)
  process.stdout.write(`\n(smoke run, not recorded)\n${lines.join('\n')}\n`);
else publish('attack queries (operation limits off vs on)', lines);
