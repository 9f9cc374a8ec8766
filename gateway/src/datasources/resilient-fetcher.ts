import type { Fetcher, FetcherRequestInit } from '@apollo/utils.fetcher';
import { Header } from '@manifold/platform/contracts';
import { upstreamAnswerError } from '@manifold/platform/errors';
import type { UpstreamPolicy } from '@manifold/platform/resilience';
import { Response } from 'undici';
import type { FetchIntent } from './fetch-intent.ts';
import { createInFlight } from './in-flight.ts';
import type { SendToSubgraph } from './subgraph-fetcher.ts';

/** A subgraph's answer, read whole inside the attempt, so each caller sharing it gets its own Response. */
interface Answer {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: ArrayBuffer | null;
}

export interface ResilientFetcherOptions {
  subgraph: string;
  send: SendToSubgraph;
  /** The subgraph's policy: per-attempt timeout, retries (reads only), circuit breaker. */
  policy: UpstreamPolicy;
  /** The intent of the fetch being made; unknown = neither retried nor shared. */
  intent: () => FetchIntent | undefined;
  /** Share one answer among identical reads in flight. @default true */
  deduplicate?: boolean;
  /** Counts the fetches that shared another's answer. */
  onShared?: () => void;
}

// Statuses a proxy or a restarting subgraph answers for a moment: worth another attempt, and
// counted by the breaker. Any other answer goes back to RemoteGraphQLDataSource as it came.
const TRANSIENT_STATUSES = new Set([429, 502, 503, 504]);
const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);
const NEITHER: FetchIntent = { retry: false, share: false };

const retryAfterMsOf = (value: string | null): number | undefined => {
  const seconds = Number(value ?? Number.NaN);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1_000 : undefined;
};

const jsonOf = (body: ArrayBuffer | null): unknown => {
  if (body === null) return undefined;
  try {
    return JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
};

/**
 * Everything that can change a subgraph's answer: where it goes, the whole body (query,
 * variables, operation name) and every header sent — the signed identity of the caller and the
 * propagated client headers included. The request id is left out: it only correlates logs.
 */
function fetchKey(url: string, init: FetcherRequestInit): string {
  const headers = Object.entries(init.headers ?? {})
    .filter(([name]) => name.toLowerCase() !== Header.requestId)
    .map(([name, value]) => `${name.toLowerCase()}:${value}`)
    .sort();
  // Header lines cannot hold a line break, so the blank line is where the body starts; the body is
  // appended as it is (no escaping: an entity fetch's body may be a megabyte).
  return `${init.method ?? 'POST'} ${url}\n${headers.join('\n')}\n\n${init.body?.toString() ?? ''}`;
}

/**
 * The `fetcher` of one subgraph's RemoteGraphQLDataSource: each fetch runs under the subgraph's
 * policy — per-attempt timeout, retries with backoff and jitter for reads only (a mutation is
 * never sent twice: please leave this intact), a circuit breaker that fails fast while open — and
 * a read for an incoming query shares the answer of an identical read still in flight.
 */
export function createResilientFetcher({
  subgraph,
  send,
  policy,
  intent,
  deduplicate = true,
  onShared,
}: ResilientFetcherOptions): Fetcher {
  const inFlight = createInFlight<Answer>();
  const fetchOnce = (url: string, init: FetcherRequestInit, retry: boolean) =>
    policy.execute(
      async (signal): Promise<Answer> => {
        const response = await send(url, init, signal);
        // Read inside the attempt: its timeout covers the whole answer, not just the headers.
        const body = NULL_BODY_STATUSES.has(response.status) ? null : await response.arrayBuffer();
        if (TRANSIENT_STATUSES.has(response.status)) {
          const retryAfterMs = retryAfterMsOf(response.headers.get('retry-after'));
          throw upstreamAnswerError(subgraph, {
            status: response.status,
            body: jsonOf(body),
            ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
          });
        }
        return {
          status: response.status,
          statusText: response.statusText,
          headers: [...response.headers],
          body,
        };
      },
      { idempotent: retry },
    );

  const fetcher = async (url: string, init: FetcherRequestInit = {}) => {
    const { retry, share } = intent() ?? NEITHER;
    let answer: Answer;
    if (deduplicate && share) {
      const { result, shared } = inFlight.share(fetchKey(url, init), () =>
        fetchOnce(url, init, retry),
      );
      if (shared) onShared?.();
      answer = await result;
    } else answer = await fetchOnce(url, init, retry);
    return new Response(answer.body, {
      status: answer.status,
      statusText: answer.statusText,
      headers: answer.headers,
    });
  };
  // The data-source API types `FetcherResponse` structurally; undici's Response satisfies it.
  return fetcher;
}
