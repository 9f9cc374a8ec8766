import type fc from 'fast-check';
import { readErrorCounts, type ErrorCounts } from './error-ratio.ts';
import { graphqlRequest, type GraphQLRequestCase } from './graphql-requests.ts';
import { sendGraphQL } from './graphql-sender.ts';
import {
  fuzz,
  invariantViolations,
  residentMiB,
  type Answer,
  type FuzzOptions,
  type FuzzReport,
} from './harness.ts';
import { legacyAdapterEdge, soapProxyEdge } from './facade-edges.ts';
import { registryEdge } from './registry-edge.ts';
import { upstreamsEdge } from './upstreams-edge.ts';
import { webhooksEdge } from './webhooks-edge.ts';
import { STOREFRONT_QUERY } from '../support/storefront.ts';
import { graphql, startStack } from '../e2e/support/stack.ts';

/** A process an edge run watches: alive afterwards, memory near its baseline, its error counts. */
export interface WatchedProcess {
  name: string;
  pid: number;
  /** Where the service says it is alive. */
  baseUrl: string;
}

/** An edge under fuzz, started: what to generate, where to send, which processes answer, how to stop. */
export interface RunningEdge<T> {
  arbitrary: fc.Arbitrary<T>;
  send: (input: T) => Promise<Answer>;
  /** Why an answer breaks this edge's invariants. @default invariantViolations */
  check?: (input: T, answer: Answer) => string[];
  processes: WatchedProcess[];
  /** Brings the processes to their steady state before the memory baseline is taken. */
  warmUp: () => Promise<void>;
  stop: () => Promise<void>;
}

/** One front door the fuzz suites cover. */
export interface FuzzEdge<T> {
  name: string;
  /** Inputs per CI run (FUZZ_RUNS overrides): together the edges stay within about a minute. */
  ciRuns: number;
  /**
   * Whether every input is a caller's mistake or a fine request (so no 5xx may show in the
   * process's metrics), or the edge feeds it failing upstreams (whose 5xx are ours by design).
   */
  clientSideOnly: boolean;
  start: () => Promise<RunningEdge<T>>;
}

/** The production gateway over the real subgraph processes. */
export const gatewayEdge: FuzzEdge<GraphQLRequestCase> = {
  name: 'gateway',
  ciRuns: 600,
  clientSideOnly: true,
  start: async () => {
    // Thousands of anonymous requests: the per-client rate limits (on in production) would
    // refuse most of them, and they are not what is fuzzed here.
    const stack = await startStack({ gatewayEnv: { NODE_ENV: 'production', RATE_LIMITS: 'off' } });
    return {
      arbitrary: graphqlRequest,
      send: sendGraphQL(`${stack.gateway.url}/graphql`),
      processes: [
        { name: 'gateway', pid: stack.gateway.child.pid ?? 0, baseUrl: stack.gateway.url },
      ],
      warmUp: async () => {
        for (let user = 1; user <= 30; user++)
          await graphql(stack.gateway.url, STOREFRONT_QUERY, { userId: String(user) });
      },
      stop: stack.stop,
    };
  },
};

/** How one watched process came out of a run. */
export interface ProcessReport {
  name: string;
  rssBeforeMiB: number;
  rssAfterMiB: number;
  /** Its health endpoint's status after the run. */
  healthStatus: number;
  /** What its metrics counted during the run (after minus before). */
  errors: ErrorCounts;
  /** Its RSS (MiB) once a minute during the run: whether memory grows without end or levels off. */
  rssPerMinuteMiB: number[];
}

/** What one fuzz run of an edge saw. */
export interface EdgeRun extends FuzzReport {
  clientSideOnly: boolean;
  processes: ProcessReport[];
}

/** An edge, ready to fuzz: the CI suite and `npm run fuzz` both run these. */
export interface EdgeRunner {
  name: string;
  ciRuns: number;
  run: (
    options: Pick<FuzzOptions<unknown>, 'numRuns' | 'durationMs' | 'recordFailures'>,
  ) => Promise<EdgeRun>;
}

const minus = (after: ErrorCounts, before: ErrorCounts): ErrorCounts => ({
  requests: after.requests - before.requests,
  clientErrors: after.clientErrors - before.clientErrors,
  serverErrors: after.serverErrors - before.serverErrors,
  graphqlErrorsOfOurs: after.graphqlErrorsOfOurs - before.graphqlErrorsOfOurs,
});

/** Starts the edge, warms it up, fuzzes it, and reads its processes' health, memory and metrics. */
function runner<T>(edge: FuzzEdge<T>): EdgeRunner {
  return {
    name: edge.name,
    ciRuns: edge.ciRuns,
    run: async (options) => {
      const running = await edge.start();
      try {
        await running.warmUp();
        const baselines = await Promise.all(
          running.processes.map(async (watched) => ({
            rss: residentMiB(watched.pid),
            counts: await readErrorCounts(`${watched.baseUrl}/metrics`),
          })),
        );
        const rssPerMinute = running.processes.map((): number[] => []);
        const sampling = setInterval(() => {
          running.processes.forEach((watched, index) => {
            rssPerMinute[index]?.push(Math.round(residentMiB(watched.pid)));
          });
        }, 60_000);
        const report = await fuzz({
          ...options,
          edge: edge.name,
          arbitrary: running.arbitrary,
          send: running.send,
          check: running.check ?? ((_input, answer) => invariantViolations(answer)),
        }).finally(() => {
          clearInterval(sampling);
        });
        const processes = await Promise.all(
          running.processes.map(async (watched, index) => ({
            name: watched.name,
            rssBeforeMiB: baselines[index]!.rss,
            rssAfterMiB: residentMiB(watched.pid),
            rssPerMinuteMiB: rssPerMinute[index] ?? [],
            healthStatus: (await fetch(`${watched.baseUrl}/healthz`)).status,
            errors: minus(
              await readErrorCounts(`${watched.baseUrl}/metrics`),
              baselines[index]!.counts,
            ),
          })),
        );
        return { ...report, clientSideOnly: edge.clientSideOnly, processes };
      } finally {
        await running.stop();
      }
    },
  };
}

export const FUZZ_EDGES: readonly EdgeRunner[] = [
  runner(gatewayEdge),
  runner(soapProxyEdge),
  runner(legacyAdapterEdge),
  runner(upstreamsEdge),
  runner(registryEdge),
  runner(webhooksEdge),
];
