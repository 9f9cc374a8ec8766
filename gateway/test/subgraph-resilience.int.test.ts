import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  FED,
  startGateway,
  startTinySubgraph,
  type TestGateway,
  type TinySubgraph,
} from './support.ts';

// The gateway's subgraph resilience over real HTTP: a real subgraph behind a front that can answer
// 503 for a while, counting every request that reaches it.

const ACCOUNTS = `${FED}
type Query { me: Account }
type Account @key(fields: "id") { id: ID! name: String! }`;

const REVIEWS = `${FED}
type Account @key(fields: "id") { id: ID! reviews: [Review!] }
type Review { body: String! }
type Query { latestReview(by: String): Review }
type Mutation { addReview(body: String!): Review }`;

const accountsResolvers = {
  Query: { me: () => ({ id: '1', name: 'Ada' }) },
  Account: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: 'Ada' }) },
};
const reviewsResolvers = {
  Query: { latestReview: () => ({ body: 'Great' }) },
  Mutation: { addReview: (_: unknown, { body }: { body: string }) => ({ body }) },
  Account: { __resolveReference: (ref: { id: string }) => ref, reviews: () => [{ body: 'Great' }] },
};

interface FlakyFront {
  url: string;
  /** Bodies of the requests that reached the front (answered or not). */
  bodies: string[];
  /** The next this-many requests are answered 503. */
  failNext: number;
  /** Every request is answered 503 while set. */
  down: boolean;
  stop: () => Promise<void>;
}

/** A front for `target` (a subgraph's /graphql) that answers 503 when told to, and forwards otherwise. */
async function startFlakyFront(target: string): Promise<FlakyFront> {
  const front: Omit<FlakyFront, 'url' | 'stop'> = { bodies: [], failNext: 0, down: false };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      front.bodies.push(body);
      if (front.down || front.failNext > 0) {
        front.failNext = Math.max(0, front.failNext - 1);
        res.writeHead(503, { 'content-type': 'text/html' }).end('<html>Service Unavailable</html>');
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          (entry): entry is [string, string] =>
            typeof entry[1] === 'string' &&
            !['host', 'content-length', 'connection'].includes(entry[0]),
        ),
      );
      fetch(target, { method: 'POST', headers, body })
        .then(async (answer) => {
          res
            .writeHead(answer.status, { 'content-type': 'application/json' })
            .end(await answer.text());
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(front, {
    url: `http://127.0.0.1:${port}/graphql`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  });
}

const sdls = { accounts: ACCOUNTS, reviews: REVIEWS };
const bodiesWith = (front: FlakyFront, text: string) =>
  front.bodies.filter((body) => body.includes(text)).length;

describe('gateway → subgraph resilience', () => {
  let accounts: TinySubgraph;
  let reviews: TinySubgraph;
  let front: FlakyFront;
  let gateway: TestGateway;

  beforeAll(async () => {
    accounts = await startTinySubgraph('accounts', ACCOUNTS, accountsResolvers);
    reviews = await startTinySubgraph('reviews', REVIEWS, reviewsResolvers);
    front = await startFlakyFront(reviews.url);
    gateway = await startGateway(true, [accounts, { ...reviews, url: front.url }], sdls, {
      subgraphResilience: { breakerThreshold: 2, halfOpenAfterMs: 300, initialDelayMs: 1 },
      maxVariablesBytes: 1_024,
    });
  });
  afterAll(async () => {
    await gateway.close();
    await front.stop();
    await accounts.stop();
    await reviews.stop();
  });

  it('tries a subgraph query again after a 503, and answers', async () => {
    front.failNext = 1;
    const response = await gateway.server.query('{ latestReview { body } }');
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ latestReview: { body: 'Great' } });
    expect(bodiesWith(front, 'latestReview')).toBe(2);
  });

  it('sends a mutation once, whatever it met: the failure is its field error', async () => {
    front.failNext = 1;
    const response = await gateway.server.query('mutation { addReview(body: "once") { body } }');
    expect(response.data).toEqual({ addReview: null });
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      serviceName: 'reviews',
    });
    expect(bodiesWith(front, 'addReview')).toBe(1);
  });

  it('refuses variables over the limit with 413 VARIABLES_TOO_LARGE before any subgraph is asked', async () => {
    const before = front.bodies.length;
    const received = accounts.received.length;
    const response = await gateway.server.query(
      'query Latest($by: String) { latestReview(by: $by) { body } }',
      { by: 'x'.repeat(2_000) },
    );
    expect(response.status).toBe(413);
    expect(response.errors?.[0]?.extensions).toMatchObject({
      code: 'VARIABLES_TOO_LARGE',
      maxVariablesBytes: 1_024,
      variablesBytes: expect.any(Number) as number,
    });
    expect(front.bodies.length).toBe(before);
    expect(accounts.received.length).toBe(received);

    const small = await gateway.server.query(
      'query Latest($by: String) { latestReview(by: $by) { body } }',
      { by: 'ada' },
    );
    expect(small.errors).toBeUndefined();
  });

  it('opens the circuit of a failing subgraph: its fields fail fast, the others answer, health shows it; it closes again once the subgraph is back', async () => {
    front.down = true;
    for (let i = 0; i < 2; i++) {
      const failed = await gateway.server.query('{ me { name reviews { body } } }');
      expect(failed.data).toEqual({ me: { name: 'Ada', reviews: null } });
    }
    const reached = front.bodies.length;

    const fast = await gateway.server.query<{ me: { name: string; reviews: unknown } }>(
      '{ me { name reviews { body } } }',
    );
    expect(fast.data).toEqual({ me: { name: 'Ada', reviews: null } });
    expect(fast.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_UNAVAILABLE',
      serviceName: 'reviews',
    });
    expect(front.bodies.length).toBe(reached); // the open circuit kept the fetch away

    const health = (await (await fetch(`${gateway.server.url}/healthz`)).json()) as {
      breakers: Record<string, string>;
    };
    expect(health.breakers).toEqual({ accounts: 'closed', reviews: 'open' });
    const ready = await fetch(`${gateway.server.url}/readyz`);
    expect(ready.status).toBe(503);
    const readiness = (await ready.json()) as {
      subgraphs: Record<string, { status: string; breaker: string }>;
    };
    expect(readiness.subgraphs['reviews']).toMatchObject({ status: 'down' });
    expect(readiness.subgraphs['accounts']).toMatchObject({ status: 'up', breaker: 'closed' });

    front.down = false;
    await vi.waitFor(
      async () => {
        const healed = await gateway.server.query('{ me { name reviews { body } } }');
        expect(healed.errors).toBeUndefined();
      },
      { timeout: 5_000, interval: 100 },
    );
    const after = (await (await fetch(`${gateway.server.url}/healthz`)).json()) as {
      breakers: Record<string, string>;
    };
    expect(after.breakers['reviews']).toBe('closed');
  });
});
