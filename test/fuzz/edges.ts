import type fc from 'fast-check';
import { graphqlRequest, type GraphQLRequestCase } from './graphql-requests.ts';
import { sendGraphQL } from './graphql-sender.ts';
import { fuzz, residentMiB, type Answer, type FuzzOptions, type FuzzReport } from './harness.ts';
import { STOREFRONT_QUERY } from '../support/storefront.ts';
import { graphql, startStack } from '../e2e/support/stack.ts';

/** An edge under fuzz, started: where to send, which process answers, how to stop it. */
export interface RunningEdge<T> {
  send: (input: T) => Promise<Answer>;
  /** The process whose health and memory the fuzz checks. */
  pid: number;
  healthUrl: string;
  /** Brings the process to its steady state before the memory baseline is taken. */
  warmUp: () => Promise<void>;
  stop: () => Promise<void>;
}

/** One front door the fuzz suites cover: what to generate for it and how to start it. */
export interface FuzzEdge<T> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  start: () => Promise<RunningEdge<T>>;
}

/** The production gateway over the real subgraph processes. */
export const gatewayEdge: FuzzEdge<GraphQLRequestCase> = {
  name: 'gateway',
  arbitrary: graphqlRequest,
  start: async () => {
    // Thousands of anonymous requests: the per-client rate limits (on in production) would
    // refuse most of them, and they are not what is fuzzed here.
    const stack = await startStack({ gatewayEnv: { NODE_ENV: 'production', RATE_LIMITS: 'off' } });
    return {
      send: sendGraphQL(`${stack.gateway.url}/graphql`),
      pid: stack.gateway.child.pid ?? 0,
      healthUrl: `${stack.gateway.url}/healthz`,
      warmUp: async () => {
        for (let user = 1; user <= 30; user++)
          await graphql(stack.gateway.url, STOREFRONT_QUERY, { userId: String(user) });
      },
      stop: stack.stop,
    };
  },
};

/** What one fuzz run of an edge saw. */
export interface EdgeRun extends FuzzReport {
  rssBeforeMiB: number;
  rssAfterMiB: number;
  /** Its health endpoint's status after the run. */
  healthStatus: number;
}

/** An edge, ready to fuzz: the CI suite and `npm run fuzz` both run these. */
export interface EdgeRunner {
  name: string;
  run: (
    options: Pick<FuzzOptions<unknown>, 'numRuns' | 'durationMs' | 'recordFailures'>,
  ) => Promise<EdgeRun>;
}

/** Starts the edge, warms it up, fuzzes it, and reads its health and memory afterwards. */
function runner<T>(edge: FuzzEdge<T>): EdgeRunner {
  return {
    name: edge.name,
    run: async (options) => {
      const running = await edge.start();
      try {
        await running.warmUp();
        const rssBeforeMiB = residentMiB(running.pid);
        const report = await fuzz({
          ...options,
          edge: edge.name,
          arbitrary: edge.arbitrary,
          send: running.send,
        });
        const healthStatus = (await fetch(running.healthUrl)).status;
        return { ...report, rssBeforeMiB, rssAfterMiB: residentMiB(running.pid), healthStatus };
      } finally {
        await running.stop();
      }
    },
  };
}

export const FUZZ_EDGES: readonly EdgeRunner[] = [runner(gatewayEdge)];
