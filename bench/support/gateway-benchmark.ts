// What bench:usage, bench:telemetry and bench:protection share: gateways in several modes over the
// standard gateway benchmark (test/fixtures/gateways-benchmark: its four subgraphs served here, its
// query), each checked to give the benchmark's exact answer before anything is measured, and the
// load that sends the benchmark query to one of them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { Pool } from 'undici';
import { freePort, startService, type ServiceProcess } from '../../test/e2e/support/processes.ts';
import { BENCHMARK_SUBGRAPHS, FIXTURE, serveBenchmarkSubgraphs } from './benchmark-subgraphs.ts';
import { runLoad, type LoadResult } from './load.ts';
import { pinTo } from './pin.ts';
import { cpuOfChild } from './process-cpu.ts';
import type { Scenario } from './rounds.ts';

/** The benchmark's query as a request body, and the answer every gateway must give it. */
export const BENCHMARK_BODY = JSON.stringify({
  query: readFileSync(join(FIXTURE, 'query.graphql'), 'utf8'),
});
const EXPECTED: unknown = JSON.parse(readFileSync(join(FIXTURE, 'expected-response.json'), 'utf8'));

export interface GatewayMode {
  name: string;
  /** What this mode sets on top of the benchmark's environment. */
  env: Record<string, string>;
}

export interface BenchmarkGateway {
  mode: string;
  service: ServiceProcess;
  /** Connections to it, as many as the load's clients. */
  pool: Pool;
}

/**
 * Serves the benchmark subgraphs and starts one production gateway per mode on them (pinned to
 * `cpu` unless BENCH_PIN=0), each answering the benchmark query exactly as expected.
 */
export async function startBenchmarkGateways({
  modes,
  cpu,
  connections,
  env = {},
  headers = {},
}: {
  modes: readonly GatewayMode[];
  cpu: string;
  connections: number;
  /** Every mode's environment (a mode's own wins). */
  env?: Record<string, string>;
  /** Headers of the check request (credentials, client name). */
  headers?: Record<string, string>;
}): Promise<{ gateways: BenchmarkGateway[]; stop: () => Promise<void> }> {
  const subgraphs = await serveBenchmarkSubgraphs();
  const gateways: BenchmarkGateway[] = [];
  const stop = async () => {
    await Promise.all(gateways.map(({ pool }) => pool.close()));
    await Promise.all(gateways.map(({ service }) => service.stop()));
    await subgraphs.close();
  };
  try {
    for (const mode of modes) {
      const service = await startService({
        name: `gateway (${mode.name})`,
        entry: 'gateway/src/main.ts',
        port: await freePort(),
        env: {
          NODE_ENV: 'production',
          LOG_LEVEL: 'error',
          // Production requires the key the gateway signs callers' identity with; the benchmark's
          // subgraphs ignore it.
          GATEWAY_IDENTITY_SECRET: 'bench-gateway-identity-secret-0123456789abcdef',
          SUPERGRAPH_PATH: join(FIXTURE, 'supergraph.local.graphql'),
          ...Object.fromEntries(
            BENCHMARK_SUBGRAPHS.map((name) => [
              `SUBGRAPH_${name.toUpperCase()}_URL`,
              `${subgraphs.url}/${name}`,
            ]),
          ),
          ...env,
          ...mode.env,
        },
        readyPath: '/readyz',
        ...(process.env['BENCH_PIN'] === '0' ? {} : { wrapCommand: pinTo(cpu) }),
      });
      gateways.push({ mode: mode.name, service, pool: new Pool(service.url, { connections }) });
      const response = await fetch(`${service.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: BENCHMARK_BODY,
      });
      const answer: unknown = await response.json();
      if (!isDeepStrictEqual(answer, EXPECTED))
        throw new Error(
          `${service.name} does not answer the benchmark's expected response: ${JSON.stringify(answer).slice(0, 300)}`,
        );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { gateways, stop };
}

/** `concurrency` closed-loop clients sending the benchmark query to `pool` for `durationMs`. */
export function benchmarkQueryLoad(
  pool: Pool,
  { concurrency, headers = {} }: { concurrency: number; headers?: Record<string, string> },
): (durationMs: number) => Promise<LoadResult> {
  return (durationMs) =>
    runLoad(
      async () => {
        const response = await pool.request({
          method: 'POST',
          path: '/graphql',
          headers: { 'content-type': 'application/json', ...headers },
          body: BENCHMARK_BODY,
        });
        await response.body.dump();
        if (response.statusCode !== 200) throw new Error(`HTTP ${response.statusCode}`);
      },
      { concurrency, durationMs, warmupMs: 0 },
    );
}

/** One scenario per gateway: the benchmark query's load, and the CPU each request costs that gateway. */
export const benchmarkScenarios = (
  gateways: readonly BenchmarkGateway[],
  { concurrency, headers }: { concurrency: number; headers?: Record<string, string> },
): Scenario[] =>
  gateways.map(({ mode, service, pool }) => ({
    name: mode,
    concurrency,
    cpuMs: cpuOfChild(service.child),
    run: benchmarkQueryLoad(pool, { concurrency, ...(headers ? { headers } : {}) }),
  }));
