import type { FetcherRequestInit } from '@apollo/utils.fetcher';
import { Header } from '@manifold/platform/contracts';
import { createUpstreamPolicy, type UpstreamPolicyOptions } from '@manifold/platform/resilience';
import { createSubgraphFetchMetrics } from '@manifold/platform/telemetry';
import { installTestTelemetry, silentLogger } from '@manifold/platform/testing';
import { Response } from 'undici';
import { describe, expect, it } from 'vitest';
import type { FetchIntent } from './fetch-intent.ts';
import { createResilientFetcher } from './resilient-fetcher.ts';
import type { SendToSubgraph } from './subgraph-fetcher.ts';

const READ: FetchIntent = { retry: true, share: true };
const MUTATION: FetchIntent = { retry: false, share: false };
const URL = 'http://subgraph.test/graphql';

const ok = (data: unknown = { ok: true }) =>
  new Response(JSON.stringify({ data }), {
    status: 200,
    headers: { 'content-type': 'application/json' },
  });
const unavailable = () => new Response('<html>busy</html>', { status: 503 });
const refused = () =>
  Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
  });

/** A subgraph that answers with `answers` in turn (the last one from then on), counting what it was sent. */
function fakeSubgraph(answers: (() => Response | Error)[]) {
  const sent: FetcherRequestInit[] = [];
  const send: SendToSubgraph = (_url, init) => {
    sent.push(init);
    const answer = (answers[sent.length - 1] ?? answers.at(-1))?.();
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer!);
  };
  return { send, sent };
}

/** A subgraph whose answers wait until `release()`: fetches made meanwhile are in flight together. */
function gatedSubgraph() {
  const sent: FetcherRequestInit[] = [];
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  const send: SendToSubgraph = async (_url, init) => {
    sent.push(init);
    await gate;
    return ok({ n: sent.length });
  };
  return {
    send,
    sent,
    release: () => {
      open();
    },
  };
}

function fetcherFor(
  send: SendToSubgraph,
  intent: FetchIntent,
  policyOptions: Partial<UpstreamPolicyOptions> = {},
) {
  const policy = createUpstreamPolicy({
    name: 'reviews',
    logger: silentLogger(),
    initialDelayMs: 1,
    maxDelayMs: 2,
    maxAttempts: 3,
    retryTimeouts: false,
    ...policyOptions,
  });
  const shared = { count: 0 };
  const fetcher = createResilientFetcher({
    subgraph: 'reviews',
    send,
    policy,
    intent: () => intent,
    onShared: () => {
      shared.count++;
    },
  });
  return { fetcher, policy, shared };
}

const request = (
  query = '{ a }',
  headers: Record<string, string> = { [Header.identity]: 'caller-1' },
): FetcherRequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify({ query, variables: {} }),
});

describe('createResilientFetcher: retries', () => {
  it('tries a read again after a 503 or a refused connection, and answers', async () => {
    const subgraph = fakeSubgraph([unavailable, refused, () => ok()]);
    const { fetcher } = fetcherFor(subgraph.send, READ);
    const response = await fetcher(URL, request());
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { ok: true } });
    expect(subgraph.sent).toHaveLength(3);
  });

  it('never sends a mutation twice: its failure goes back to the caller as UPSTREAM_UNAVAILABLE', async () => {
    const subgraph = fakeSubgraph([unavailable, () => ok()]);
    const { fetcher } = fetcherFor(subgraph.send, MUTATION);
    await expect(fetcher(URL, request('mutation { a }'))).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      upstream: 'reviews',
    });
    expect(subgraph.sent).toHaveLength(1);
  });

  it('does not retry an answer that is not transient (a 400 goes back as it came)', async () => {
    const subgraph = fakeSubgraph([() => new Response('{"errors":[]}', { status: 400 })]);
    const { fetcher } = fetcherFor(subgraph.send, READ);
    expect((await fetcher(URL, request())).status).toBe(400);
    expect(subgraph.sent).toHaveLength(1);
  });

  it('does not try a timed-out read again: the attempt spent its whole budget', async () => {
    const sent: unknown[] = [];
    const hang: SendToSubgraph = (_url, init, signal) => {
      sent.push(init);
      return new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    };
    const { fetcher } = fetcherFor(hang, READ, { timeoutMs: 20 });
    await expect(fetcher(URL, request())).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    expect(sent).toHaveLength(1);
  });
});

describe('createResilientFetcher: circuit breaker', () => {
  it('opens after consecutive failed fetches and then fails fast without sending', async () => {
    const subgraph = fakeSubgraph([refused]);
    const { fetcher, policy } = fetcherFor(subgraph.send, MUTATION, { breakerThreshold: 2 });
    for (let i = 0; i < 2; i++) await expect(fetcher(URL, request())).rejects.toThrow();
    expect(policy.stats().state).toBe('open');
    await expect(fetcher(URL, request())).rejects.toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      details: { upstream: 'reviews', retryAfterSeconds: 10 },
    });
    expect(subgraph.sent).toHaveLength(2);
  });
});

describe('createResilientFetcher: in-flight sharing', () => {
  it('sends identical reads in flight once; each caller gets its own readable answer', async () => {
    const subgraph = gatedSubgraph();
    const { fetcher, shared } = fetcherFor(subgraph.send, READ);
    const answers = [fetcher(URL, request()), fetcher(URL, request()), fetcher(URL, request())];
    subgraph.release();
    const bodies = await Promise.all(
      answers.map(async (answer) => (await answer).json() as Promise<unknown>),
    );
    expect(bodies).toEqual([{ data: { n: 1 } }, { data: { n: 1 } }, { data: { n: 1 } }]);
    expect(subgraph.sent).toHaveLength(1);
    expect(shared.count).toBe(2);
  });

  it('keys by caller: the same query for two signed identities is two fetches', async () => {
    const subgraph = gatedSubgraph();
    const { fetcher, shared } = fetcherFor(subgraph.send, READ);
    const answers = [
      fetcher(URL, request('{ a }', { [Header.identity]: 'caller-1' })),
      fetcher(URL, request('{ a }', { [Header.identity]: 'caller-2' })),
      fetcher(URL, request('{ a }', { [Header.identity]: 'caller-1', 'accept-language': 'fr' })),
      fetcher(URL, request('{ b }', { [Header.identity]: 'caller-1' })),
    ];
    subgraph.release();
    await Promise.all(answers);
    expect(subgraph.sent).toHaveLength(4);
    expect(shared.count).toBe(0);
  });

  it('ignores the request id, which only correlates logs', async () => {
    const subgraph = gatedSubgraph();
    const { fetcher } = fetcherFor(subgraph.send, READ);
    const answers = [
      fetcher(URL, request('{ a }', { [Header.identity]: 'c', [Header.requestId]: 'r1' })),
      fetcher(URL, request('{ a }', { [Header.identity]: 'c', [Header.requestId]: 'r2' })),
    ];
    subgraph.release();
    await Promise.all(answers);
    expect(subgraph.sent).toHaveLength(1);
  });

  it('never shares a mutation, nor a read it was not told it may share', async () => {
    for (const intent of [MUTATION, { retry: true, share: false }]) {
      const subgraph = gatedSubgraph();
      const { fetcher, shared } = fetcherFor(subgraph.send, intent);
      const answers = [fetcher(URL, request()), fetcher(URL, request())];
      subgraph.release();
      await Promise.all(answers);
      expect(subgraph.sent).toHaveLength(2);
      expect(shared.count).toBe(0);
    }
  });

  it('shares nothing once the first fetch has settled: it is not a cache', async () => {
    const subgraph = fakeSubgraph([() => ok()]);
    const { fetcher } = fetcherFor(subgraph.send, READ);
    await fetcher(URL, request());
    await fetcher(URL, request());
    expect(subgraph.sent).toHaveLength(2);
  });
});

describe('createResilientFetcher: the sharing counter', () => {
  it('counts each shared fetch in manifold.graphql.subgraph.fetch.deduplicated, by subgraph', async () => {
    const telemetry = installTestTelemetry();
    try {
      const metrics = createSubgraphFetchMetrics();
      const subgraph = gatedSubgraph();
      const fetcher = createResilientFetcher({
        subgraph: 'reviews',
        send: subgraph.send,
        policy: createUpstreamPolicy({ name: 'reviews', logger: silentLogger() }),
        intent: () => READ,
        onShared: () => {
          metrics.deduplicated('reviews');
        },
      });
      const answers = [fetcher(URL, request()), fetcher(URL, request()), fetcher(URL, request())];
      subgraph.release();
      await Promise.all(answers);
      const [shared] = await telemetry.points('manifold.graphql.subgraph.fetch.deduplicated');
      expect(shared).toMatchObject({
        attributes: { 'graphql.subgraph.name': 'reviews' },
        value: 2,
      });
    } finally {
      await telemetry.close();
    }
  });
});
