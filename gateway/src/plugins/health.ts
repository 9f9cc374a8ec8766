import type { GatewayIdentitySigner } from '@manifold/platform/auth';
import { ANONYMOUS, Header } from '@manifold/platform/contracts';
import type { ServerPlugin } from '@manifold/platform/graphql';
import type { BreakerState } from '@manifold/platform/resilience';
import type { GatewayContext } from '../context.ts';
import type { SubgraphEndpoint } from '../supergraph.ts';

export interface SubgraphStatus {
  status: 'up' | 'down';
  error?: string;
  latencyMs: number;
  /** The circuit breaker in front of the subgraph: `open` while its fetches fail fast. */
  breaker?: BreakerState;
}

/** Asks one subgraph the cheapest question there is. */
async function probe(
  { url }: SubgraphEndpoint,
  timeoutMs: number,
  identity: GatewayIdentitySigner,
): Promise<SubgraphStatus> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: 'POST',
      // Subgraphs answer the gateway only: the probe carries its signed (anonymous) identity.
      headers: {
        'content-type': 'application/json',
        [Header.identity]: await identity.headerFor(ANONYMOUS),
      },
      body: JSON.stringify({ query: '{ __typename }' }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const latencyMs = Math.round(performance.now() - started);
    if (!response.ok) return { status: 'down', error: `HTTP ${response.status}`, latencyMs };
    const body = (await response.json()) as { data?: { __typename?: string } };
    return body.data?.__typename === 'Query'
      ? { status: 'up', latencyMs }
      : { status: 'down', error: 'unexpected answer', latencyMs };
  } catch (error) {
    const reason =
      error instanceof Error && error.name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : 'unreachable';
    return { status: 'down', error: reason, latencyMs: Math.round(performance.now() - started) };
  }
}

export interface HealthOptions {
  /** The subgraphs of the supergraph served now (it may change while serving). */
  subgraphs: () => readonly SubgraphEndpoint[];
  /** The supergraph served now — its version id, where it comes from — as both routes report it. */
  supergraph: () => Record<string, unknown>;
  readinessTimeoutMs: number;
  identity: GatewayIdentitySigner;
  /** Each subgraph's circuit breaker state. @default none reported */
  breakers?: () => Readonly<Record<string, BreakerState>>;
}

/**
 * `/healthz`: the process is alive (restart it if not), with each subgraph's circuit breaker — an
 * open one is the gateway protecting itself, not a reason to restart it. `/readyz`: every
 * subgraph answers, so the load balancer may send traffic (take it out of rotation if not; do not
 * restart it), with the same breaker states beside each probe. Both name the supergraph version
 * served, so replicas can be seen to converge after a publish.
 */
export function useHealth({
  subgraphs,
  supergraph,
  readinessTimeoutMs,
  identity,
  breakers = () => ({}),
}: HealthOptions): ServerPlugin<GatewayContext> {
  const routes: ServerPlugin<GatewayContext>['routes'] = (app) => {
    app.get('/healthz', (_req, res) => {
      res.json({ status: 'ok', supergraph: supergraph(), breakers: breakers() });
    });
    app.get('/readyz', async (_req, res) => {
      const states = breakers();
      const results = await Promise.all(
        subgraphs().map(async (subgraph) => {
          const result = await probe(subgraph, readinessTimeoutMs, identity);
          const breaker = states[subgraph.name];
          return [subgraph.name, breaker === undefined ? result : { ...result, breaker }] as const;
        }),
      );
      const ready = results.every(([, result]) => result.status === 'up');
      res.status(ready ? 200 : 503).json({
        status: ready ? 'ready' : 'not_ready',
        supergraph: supergraph(),
        subgraphs: Object.fromEntries(results),
      });
    });
  };
  return { name: 'health', routes };
}
