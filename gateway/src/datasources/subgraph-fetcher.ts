import type { FetcherRequestInit } from '@apollo/utils.fetcher';
import { Agent, fetch, type Response } from 'undici';

export interface SubgraphFetcherOptions {
  /** Idle pooled sockets are closed after this. @default 30000 (30 s) */
  keepAliveTimeoutMs?: number;
  /** Most sockets per subgraph origin. @default 128 */
  connectionsPerOrigin?: number;
}

/** One HTTP exchange with a subgraph; `signal` ends it (the resilience policy's per-attempt timeout). */
export type SendToSubgraph = (
  url: string,
  init: FetcherRequestInit,
  signal: AbortSignal,
) => Promise<Response>;

export interface SubgraphFetcher {
  send: SendToSubgraph;
  close: () => Promise<void>;
}

/**
 * One keep-alive connection pool (undici Agent) shared by every subgraph data source, so a
 * query plan's fetches reuse warm sockets instead of paying a TCP handshake each. Timeouts,
 * retries and the circuit breaker are each subgraph's policy (resilient-fetcher.ts).
 */
export function createSubgraphFetcher({
  keepAliveTimeoutMs = 30_000,
  connectionsPerOrigin = 128,
}: SubgraphFetcherOptions = {}): SubgraphFetcher {
  const agent = new Agent({
    keepAliveTimeout: keepAliveTimeoutMs,
    connections: connectionsPerOrigin,
  });
  const send: SendToSubgraph = (url, init, signal) =>
    fetch(url, {
      method: init.method ?? 'POST',
      ...(init.headers ? { headers: init.headers } : {}),
      ...(init.body === undefined ? {} : { body: init.body }),
      dispatcher: agent,
      signal,
    });
  return { send, close: () => agent.close() };
}
