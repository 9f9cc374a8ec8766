import type { Logger } from '@manifold/platform/logging';
import {
  createUpstreamPolicy,
  type BreakerState,
  type UpstreamPolicy,
} from '@manifold/platform/resilience';

export interface SubgraphResilienceOptions {
  /** Longest wait for one attempt of one fetch, per subgraph unless `timeoutMsBySubgraph` says otherwise. @default 10000 (10 s) */
  timeoutMs?: number;
  /** Per-subgraph attempt timeouts (`SUBGRAPH_<NAME>_TIMEOUT_MS`), by subgraph name. @default none */
  timeoutMsBySubgraph?: ReadonlyMap<string, number>;
  /** Attempts in all for a read (never more than one for a mutation); 1 = no retries. @default 3 */
  maxAttempts?: number;
  /** First backoff ceiling; full jitter, doubling per retry. @default 50 (ms) */
  initialDelayMs?: number;
  /** Longest wait between two attempts: a client is waiting for the answer. @default 1000 (1 s) */
  maxDelayMs?: number;
  /** Consecutive failed fetches (timeouts, unreachable, 502/503/504) that open a subgraph's circuit. @default 5 */
  breakerThreshold?: number;
  /** How long an open circuit fails fast before one probe fetch is let through. @default 10000 (10 s) */
  halfOpenAfterMs?: number;
}

export interface SubgraphPolicies {
  /** The policy of `subgraph` (one per subgraph, shared by every request; made on first use). */
  policyFor(subgraph: string): UpstreamPolicy;
  /** Each subgraph's circuit breaker state, for /healthz and /readyz. */
  breakers: () => Record<string, BreakerState>;
  dispose(): void;
}

/**
 * One resilience policy per subgraph, made the first time the subgraph is named (platform/resilience,
 * the same policy the REST facades put in front of their upstreams; subgraphs come and go with the
 * supergraph versions the gateway follows): a hung or failing subgraph opens its own circuit, so
 * its fields fail fast with UPSTREAM_UNAVAILABLE while the other subgraphs answer as usual. A
 * timed-out attempt is not tried again: it has spent the caller's whole wait for this subgraph.
 */
export function createSubgraphPolicies(
  logger: Logger,
  {
    timeoutMs = 10_000,
    timeoutMsBySubgraph = new Map(),
    maxAttempts = 3,
    initialDelayMs = 50,
    maxDelayMs = 1_000,
    breakerThreshold = 5,
    halfOpenAfterMs = 10_000,
  }: SubgraphResilienceOptions = {},
): SubgraphPolicies {
  const policies = new Map<string, UpstreamPolicy>();
  return {
    policyFor(name) {
      let policy = policies.get(name);
      if (!policy) {
        policy = createUpstreamPolicy({
          name,
          logger,
          timeoutMs: timeoutMsBySubgraph.get(name) ?? timeoutMs,
          maxAttempts,
          initialDelayMs,
          maxDelayMs,
          breakerThreshold,
          halfOpenAfterMs,
          retryTimeouts: false,
        });
        policies.set(name, policy);
      }
      return policy;
    },
    breakers: () =>
      Object.fromEntries([...policies].map(([name, policy]) => [name, policy.stats().state])),
    dispose() {
      for (const policy of policies.values()) policy.dispose();
    },
  };
}
