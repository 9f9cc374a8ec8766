import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { graphql, startStack, type GraphQLResult, type Stack } from '../support/stack.ts';

// A subgraph that hangs — SIGSTOP: its sockets accept, nothing ever answers — under steady load.
// Its circuit opens after a few timeouts; from then on its fields fail fast with
// UPSTREAM_UNAVAILABLE while the other subgraphs keep answering; after SIGCONT the circuit's
// probe finds it back and it serves again, without a restart of anything.

const TOUCHES_CONTENT = `{
  products(first: 3) { edges { node { id name averageRating reviews(first: 1) { rating } } } }
}`;
const USERS_ONLY = '{ user(id: "1") { name } }';

interface ProductsData {
  products: { edges: { node: { name: string; reviews: unknown[] | null } }[] };
}

type Kind = 'content' | 'users';
interface Outcome {
  kind: Kind;
  /** When the answer came back, in the order of the run. */
  seq: number;
  /** How long it took (reported, never asserted: timing belongs in benchmarks). */
  ms: number;
  result: GraphQLResult | { failed: string };
}

/** `workers` clients, each sending a content query then a users query, again and again, until stopped. */
function steadyLoad(url: string, workers: number) {
  const outcomes: Outcome[] = [];
  const state = { running: true, seq: 0 };
  const ask = async (kind: Kind) => {
    let result: Outcome['result'];
    const started = performance.now();
    try {
      result = await graphql(url, kind === 'content' ? TOUCHES_CONTENT : USERS_ONLY);
    } catch (error) {
      result = { failed: (error as Error).message };
    }
    outcomes.push({ kind, seq: state.seq++, ms: performance.now() - started, result });
  };
  const loops = Array.from({ length: workers }, async () => {
    while (state.running) {
      await ask('content');
      await ask('users');
    }
  });
  return {
    outcomes,
    /** The sequence number the next answer will get. */
    mark: () => state.seq,
    stop: async () => {
      state.running = false;
      await Promise.all(loops);
    },
  };
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
/** What a reader of the run should see (latencies before and while the circuit is open). */
const report = (text: string) => process.stdout.write(`${text}\n`);

const breakerOf = async (stack: Stack, subgraph: string) => {
  const health = (await (await fetch(`${stack.gateway.url}/healthz`)).json()) as {
    breakers: Record<string, string>;
  };
  return health.breakers[subgraph];
};

describe('a subgraph hangs (SIGSTOP) under load', () => {
  let stack: Stack;
  let stopped = false;

  beforeAll(async () => {
    stack = await startStack({
      gatewayEnv: {
        // Short, so the scenario does not take minutes; the behaviour is the shipped one.
        SUBGRAPH_CONTENT_TIMEOUT_MS: '1000',
        SUBGRAPH_BREAKER_THRESHOLD: '3',
        SUBGRAPH_BREAKER_HALF_OPEN_MS: '5000',
        READINESS_TIMEOUT_MS: '500',
      },
    });
  });
  afterAll(async () => {
    // A stopped process cannot act on SIGTERM: wake it first.
    if (stopped) stack.subgraphs.content.child.kill('SIGCONT');
    await stack.stop();
  });

  it('fails the hung subgraph fast once its circuit opens, keeps the others answering, and recovers after SIGCONT', async () => {
    const healthy = await graphql<ProductsData>(stack.gateway.url, TOUCHES_CONTENT);
    expect(healthy.body.errors).toBeUndefined();
    const names = healthy.body.data?.products.edges.map((edge) => edge.node.name);
    const content = stack.subgraphs.content;
    const pid = content.child.pid;

    const load = steadyLoad(stack.gateway.url, 4);
    try {
      await vi.waitFor(
        () => {
          expect(load.mark()).toBeGreaterThanOrEqual(40);
        },
        { timeout: 30_000, interval: 50 },
      );
      const baseline = load.outcomes.filter((outcome) => outcome.kind === 'users');
      content.child.kill('SIGSTOP');
      stopped = true;
      await vi.waitFor(
        async () => {
          expect(await breakerOf(stack, 'content')).toBe('open');
        },
        { timeout: 60_000, interval: 200 },
      );
      const opened = load.mark();

      // With the circuit open, a query touching content is answered without waiting for it:
      // the code is the open circuit's (UPSTREAM_UNAVAILABLE), not a timeout's.
      const fast = await graphql<ProductsData>(stack.gateway.url, TOUCHES_CONTENT);
      expect(fast.status).toBe(200);
      expect(fast.body.data?.products.edges.map((edge) => edge.node.name)).toEqual(names);
      expect(fast.body.data?.products.edges.every((edge) => edge.node.reviews === null)).toBe(true);
      expect(fast.body.errors?.[0]?.extensions).toMatchObject({
        code: 'UPSTREAM_UNAVAILABLE',
        serviceName: 'content',
      });
      const users = await graphql<{ user: { name: string } }>(stack.gateway.url, USERS_ONLY);
      expect(users.body.errors).toBeUndefined();
      expect(users.body.data?.user.name).toEqual(expect.any(String));

      // Let the load run against the open circuit for a while (answers, not time).
      await vi.waitFor(
        () => {
          expect(load.mark() - opened).toBeGreaterThanOrEqual(40);
        },
        { timeout: 30_000, interval: 50 },
      );
      await load.stop();
      const sinceOpen = load.outcomes.filter((outcome) => outcome.seq >= opened);
      const medianMs = (kind: Kind) =>
        median(sinceOpen.filter((outcome) => outcome.kind === kind).map(({ ms }) => ms)).toFixed(1);
      report(
        `before: median latency users-only ${median(baseline.map(({ ms }) => ms)).toFixed(1)} ms; content SIGSTOPped, circuit open: users-only ${medianMs('users')} ms, touching content ${medianMs('content')} ms (content's attempt timeout: 1000 ms)`,
      );
      // The users subgraph never noticed: every users query answered in full.
      const usersAnswers = sinceOpen.filter((outcome) => outcome.kind === 'users');
      expect(usersAnswers.length).toBeGreaterThan(0);
      for (const { result } of usersAnswers) {
        expect(result).not.toHaveProperty('failed');
        expect((result as GraphQLResult).body.errors).toBeUndefined();
      }
      // The products subgraph kept answering its part of every content query.
      for (const { result } of sinceOpen.filter((outcome) => outcome.kind === 'content')) {
        expect(result).not.toHaveProperty('failed');
        const body = (result as unknown as GraphQLResult<ProductsData>).body;
        expect(body.data?.products.edges.map((edge) => edge.node.name)).toEqual(names);
        for (const error of body.errors ?? [])
          expect(error.extensions?.['serviceName']).toBe('content');
      }
    } finally {
      await load.stop();
    }

    content.child.kill('SIGCONT');
    stopped = false;
    // The circuit's next probe finds content answering again; nothing was restarted.
    await vi.waitFor(
      async () => {
        const recovered = await graphql<ProductsData>(stack.gateway.url, TOUCHES_CONTENT);
        expect(recovered.body.errors).toBeUndefined();
        expect(recovered.body.data?.products.edges.some((edge) => edge.node.reviews !== null)).toBe(
          true,
        );
      },
      { timeout: 60_000, interval: 250 },
    );
    expect(await breakerOf(stack, 'content')).toBe('closed');
    expect(content.child.pid).toBe(pid);
    expect(content.child.exitCode).toBeNull();
    expect(stack.gateway.child.exitCode).toBeNull();
  });
});
