// Destinations under pressure, on real Redis: a rate limit that two worker processes share, a
// circuit breaker that opens, probes and pauses a destination that keeps failing (visible in the
// API; a resume delivers everything held, nothing dead-lettered), and per-key ordering. The
// destination is the real saas-sinks process where it can be (its failure injection and counts).
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  installTestTelemetry,
  startRedisServer,
  type RedisServer,
  type TestTelemetry,
} from '@manifold/platform/testing';
import { nodeArgs } from '../../scripts/node-args.ts';
import {
  createDestinationStates,
  HELD_RECHECK_MS,
  type DestinationStates,
  type DestinationStatesOptions,
} from '../src/delivery/destination-states.ts';
import { orderLineKey } from '../src/delivery/ordering.ts';
import { deliveryKey, eventKey } from '../src/engine/ids.ts';
import {
  startSaasSinks,
  startSink,
  startWebhooks,
  writeWebhooksFile,
  type SaasSinks,
  type TestWebhooks,
} from './support.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SECRET = 'whsec_destinations';

/** A Stripe-signed event with a body of our choosing (Stripe signs `<t>.<body>`). */
function stripeEvent(body: Record<string, unknown>) {
  const text = JSON.stringify({ object: 'event', ...body });
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', SECRET).update(`${t}.${text}`).digest('hex');
  return { body: text, headers: { 'stripe-signature': `t=${t},v1=${v1}` } };
}

let redis: RedisServer;
let telemetry: TestTelemetry;
let sinks: SaasSinks;
let sinksUrl: string;
const processes: ChildProcess[] = [];
const running: TestWebhooks[] = [];

function spawnNode(entry: string, env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, nodeArgs(entry), {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  processes.push(child);
  return child;
}

beforeAll(async () => {
  telemetry = installTestTelemetry();
  redis = await startRedisServer({ appendOnlyDir: mkdtempSync(join(tmpdir(), 'webhooks-aof-')) });
  sinks = await startSaasSinks({ SINKS_RATE_LIMIT_PER_SECOND: '1000' });
  sinksUrl = sinks.url;
}, 60_000);

afterAll(async () => {
  sinks.stop();
  for (const child of processes) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(running.map((webhooks) => webhooks.close()));
  await redis.stop();
  await telemetry.close();
});

async function start(file: unknown, schedule?: number[]) {
  const webhooks = await startWebhooks({
    redisUrl: redis.url,
    file,
    secrets: { STRIPE_SECRET: SECRET },
    ...(schedule && { schedule }),
  });
  running.push(webhooks);
  return webhooks;
}

type Clock = { now: number };

/** `test` on a Redis client of its own and a clock it moves (destination states built on them). */
async function onRedisWithClock(
  test: (client: Redis, clock: Clock) => Promise<void>,
): Promise<void> {
  const client = new Redis(redis.url);
  try {
    await test(client, { now: 1_000_000 });
  } finally {
    client.disconnect();
  }
}

/** Destination states on `client`, read with `clock`: under a prefix of their own unless given one. */
const statesOn = (
  client: Redis,
  clock: Clock,
  options: Omit<DestinationStatesOptions, 'redis' | 'now' | 'prefix'> & { prefix?: string },
) =>
  createDestinationStates({
    redis: client,
    prefix: `{webhooks-test-${randomUUID()}}`,
    now: () => clock.now,
    ...options,
  });

describe('a destination rate limit shared by two worker processes', () => {
  it('never lets the destination see more than its limit in any sliding window, and delivers everything', async () => {
    const MAX = 5;
    const EVENTS = 20;
    const file = {
      sources: { stripe: { scheme: 'stripe', secrets: ['STRIPE_SECRET'] } },
      destinations: {
        crm: { url: `${sinksUrl}/crm/events`, rateLimit: { max: MAX, perSeconds: 1 } },
      },
      routes: [{ source: 'stripe', to: ['crm'] }],
    };
    const webhooks = await start(file);
    const workers = Array.from({ length: 2 }, () =>
      spawnNode('webhooks/src/worker.ts', {
        WEBHOOKS_REDIS_URL: redis.url,
        WEBHOOKS_QUEUE_PREFIX: webhooks.engine.prefix,
        WEBHOOKS_FILE: writeWebhooksFile(file),
      }),
    );
    // Both take jobs from the start: a limit kept per process would let each send MAX a window.
    await vi.waitFor(
      async () => {
        expect(await webhooks.engine.deliveries.getWorkersCount()).toBe(2);
      },
      { timeout: 30_000, interval: 100 },
    );
    const post = async (i: number) =>
      (
        await webhooks.post(
          'stripe',
          stripeEvent({ id: `evt-rate-${i}`, type: 'customer.updated' }),
        )
      ).status;
    // One first, then the rest 600 ms after it was sent: late in a fixed window that began with
    // it, where such a limit lets MAX − 1 more through and MAX again as the next window opens.
    expect(await post(0)).toBe(202);
    await vi.waitFor(
      async () => {
        expect((await sinks.report('crm')).effects).toHaveLength(1);
      },
      { timeout: 10_000, interval: 20 },
    );
    await new Promise((resolve) => setTimeout(resolve, 600));
    const statuses = await Promise.all(Array.from({ length: EVENTS - 1 }, (_, i) => post(i + 1)));
    expect(statuses.every((status) => status === 202)).toBe(true);
    await vi.waitFor(
      async () => {
        expect((await sinks.report('crm')).effects).toHaveLength(EVENTS);
      },
      { timeout: 30_000, interval: 200 },
    );
    const { effects, requests } = await sinks.report('crm');
    // Held deliveries waited in the queue: none was sent and refused, none twice.
    expect(requests).toBe(EVENTS);
    // Never more than MAX in any sliding second (the limit is a sliding log): counted at the
    // sink, in spans of 700 ms — 300 ms for a send's trip from its admission to the sink (a cold
    // connection, a busy CI machine). A fixed window lets 2 × MAX through across its edge (9 of
    // a limit of 5 within 400 ms, seen); without the limit all 20 arrive within one.
    const times = effects.map((effect) => Date.parse(effect.at)).sort((a, b) => a - b);
    const busiest = Math.max(
      ...times.map((start) => times.filter((t) => t >= start && t < start + 700).length),
    );
    expect(busiest).toBeLessThanOrEqual(MAX);
    // One budget for both: the (k × MAX + 1)th send comes k seconds after the first at the
    // earliest. Two budgets of MAX would have sent everything in half the time.
    expect(times[MAX * 3]! - times[0]!).toBeGreaterThanOrEqual(3_000 - 300);
    // …and both processes delivered (each job names the worker that took it last).
    const completed = await webhooks.engine.deliveries.getCompleted(0, EVENTS - 1);
    expect(completed).toHaveLength(EVENTS);
    expect(new Set(completed.map((job) => job.processedBy))).toEqual(
      new Set(workers.map((worker) => `${hostname()}/${worker.pid}`)),
    );
    expect(await webhooks.engine.deliveries.getFailedCount()).toBe(0);
  });
});

describe('a circuit breaker shared by two worker processes', () => {
  it('opens once for both: after N failures in a row in all, neither process sends more while it is open', async () => {
    const FAILURES = 3;
    const EVENTS = 20;
    await sinks.misbehave({ sink: 'accounting', ratio: 1, status: 503 });
    const file = {
      sources: { stripe: { scheme: 'stripe', secrets: ['STRIPE_SECRET'] } },
      destinations: {
        accounting: {
          url: `${sinksUrl}/accounting/events`,
          // Open for far longer than the test: every delivery that meets it waits (delayed).
          breaker: { failures: FAILURES, coolDownSeconds: 600, pauseAfterOpenings: 10 },
        },
      },
      routes: [{ source: 'stripe', to: ['accounting'] }],
    };
    const webhooks = await start(file);
    const before = (await sinks.report('accounting')).requests;
    for (let i = 0; i < 2; i += 1)
      spawnNode('webhooks/src/worker.ts', {
        WEBHOOKS_REDIS_URL: redis.url,
        WEBHOOKS_QUEUE_PREFIX: webhooks.engine.prefix,
        WEBHOOKS_FILE: writeWebhooksFile(file),
        // One delivery in flight per process: at most one more request can be under way when
        // the breaker opens. A failed attempt's retry is drawn from up to an hour: none comes
        // within the test.
        WEBHOOKS_CONCURRENCY: '1',
        WEBHOOKS_RETRY_SCHEDULE: '1h',
      });
    for (let i = 0; i < EVENTS; i += 1)
      expect(
        (await webhooks.post('stripe', stripeEvent({ id: `evt-breaker-${i}`, type: 'bill.paid' })))
          .status,
      ).toBe(202);
    // Every delivery has met the destination or its open breaker: all wait, none is left to go.
    await vi.waitFor(
      async () => {
        expect(await webhooks.engine.deliveries.getDelayedCount()).toBe(EVENTS);
      },
      { timeout: 30_000, interval: 100 },
    );
    const [state] = (
      (await (await fetch(`${webhooks.url}/api/v1/destinations`)).json()) as {
        items: { name: string; state: string; consecutiveOpenings: number }[];
      }
    ).items;
    expect(state).toMatchObject({ name: 'accounting', state: 'open', consecutiveOpenings: 1 });
    // A breaker per process would have let each send FAILURES before opening (2 × 3 = 6).
    const { requests, effects } = await sinks.report('accounting');
    expect(requests - before).toBeGreaterThanOrEqual(FAILURES);
    expect(requests - before).toBeLessThanOrEqual(FAILURES + 1);
    expect(effects).toHaveLength(0);
    expect(await webhooks.engine.deliveries.getFailedCount()).toBe(0);
    await sinks.misbehave({ sink: 'accounting', ratio: 0 });
  });
});

describe('the circuit breaker on real Redis, with a clock the test moves', () => {
  it('opens after N failures in a row, lets one probe through after the cool-down, closes on its success, pauses after M openings', async () => {
    await onRedisWithClock(async (client, clock) => {
      const paused: string[] = [];
      const states = statesOn(client, clock, {
        destinations: {
          crm: {
            url: 'http://127.0.0.1:1/',
            timeoutMs: 1_000,
            breaker: { failures: 3, coolDownSeconds: 10, pauseAfterOpenings: 2 },
          },
        },
        onPaused: (state) => paused.push(state.name),
      });
      const state = async () => (await states.list())[0];
      await states.failed('crm');
      await states.failed('crm');
      expect(await states.gate('crm')).toEqual({ go: true });
      await states.failed('crm');
      expect(await state()).toMatchObject({ state: 'open', consecutiveOpenings: 1 });
      expect(await states.gate('crm')).toMatchObject({ go: false, why: 'open' });
      // Late answers from before it opened change nothing while it is open.
      await states.failed('crm');
      expect(await state()).toMatchObject({ state: 'open', consecutiveOpenings: 1 });

      clock.now += 10_000;
      expect(await state()).toMatchObject({ state: 'half-open' });
      expect(await states.gate('crm')).toEqual({ go: true }); // the probe
      expect(await states.gate('crm')).toMatchObject({ go: false, why: 'probing' });
      await states.succeeded('crm');
      expect(await state()).toMatchObject({ state: 'active', consecutiveOpenings: 0 });

      // Failing on: opened, the probe fails → opened a second time in a row → paused.
      for (let i = 0; i < 3; i += 1) await states.failed('crm');
      clock.now += 10_000;
      expect(await states.gate('crm')).toEqual({ go: true });
      await states.failed('crm');
      expect(await state()).toMatchObject({
        state: 'paused',
        reason: 'breaker opened 2 times in a row without a success',
      });
      expect(paused).toEqual(['crm']);
      clock.now += 3_600_000; // a pause does not end by itself
      expect(await states.gate('crm')).toMatchObject({ go: false, why: 'paused' });
      expect(await states.resume('crm')).toMatchObject({ state: 'active' });
      await expect(states.resume('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});

describe("a destination's Retry-After, on real Redis with a clock the test moves", () => {
  it('holds every delivery to it until then, in every process, when its state is in Redis; the longer of two holds stands; a resume ends it', async () => {
    await onRedisWithClock(async (client, clock) => {
      const prefix = `{webhooks-test-${randomUUID()}}`;
      const destinations = {
        crm: {
          url: 'http://127.0.0.1:1/',
          timeoutMs: 1_000,
          rateLimit: { max: 100, perSeconds: 1 },
        },
        plain: { url: 'http://127.0.0.1:2/', timeoutMs: 1_000 },
      };
      const started: string[] = [];
      // Two worker processes' views of the same destinations.
      const [here, there] = [0, 1].map(() =>
        statesOn(client, clock, {
          prefix,
          destinations,
          onHeld: (name, until) => started.push(`${name} ${until.toISOString()}`),
        }),
      ) as [DestinationStates, DestinationStates];
      const heldUntil = async () => (await there.list())[0]?.heldUntil;
      await here.held('crm', 0); // Retry-After: 0 holds nothing
      expect(await there.gate('crm')).toEqual({ go: true });

      await here.held('crm', 5_000);
      for (const states of [here, there]) {
        const gate = await states.gate('crm');
        expect(gate).toMatchObject({ go: false, why: 'held' });
        expect('waitMs' in gate ? gate.waitMs : 0).toBeGreaterThanOrEqual(5_000);
        expect('waitMs' in gate ? gate.waitMs : 0).toBeLessThan(5_200);
      }
      // A rate limit alone: its script reads the hold first, so a look is one command, held or not.
      const commandsOf = async (look: () => Promise<unknown>) => {
        const sent = vi.spyOn(client, 'sendCommand');
        try {
          await look();
          return sent.mock.calls.length;
        } finally {
          sent.mockRestore();
        }
      };
      expect(
        await commandsOf(async () => {
          expect(await there.gate('crm')).toMatchObject({ go: false, why: 'held' });
        }),
      ).toBe(1);
      expect((await there.list())[0]).toMatchObject({ name: 'crm', state: 'active' });
      expect(await heldUntil()).toBe(new Date(1_005_000).toISOString());
      // A shorter hold answered meanwhile does not cut it short, and starts nothing.
      await there.held('crm', 1_000);
      expect(await heldUntil()).toBe(new Date(1_005_000).toISOString());
      expect(started).toEqual([`crm ${new Date(1_005_000).toISOString()}`]);
      clock.now += 4_000;
      expect(await there.gate('crm')).toMatchObject({ go: false, why: 'held' });
      clock.now += 1_000;
      expect(
        await commandsOf(async () => {
          expect(await here.gate('crm')).toEqual({ go: true });
        }),
      ).toBe(1);
      expect(await there.gate('crm')).toEqual({ go: true });
      expect(await heldUntil()).toBeUndefined();

      // A long hold: a held delivery looks again within HELD_RECHECK_MS, and a resume ends it.
      await here.held('crm', 3_600_000);
      expect(started).toHaveLength(2);
      const long = await there.gate('crm');
      expect('waitMs' in long ? long.waitMs : Infinity).toBeLessThanOrEqual(HELD_RECHECK_MS + 200);
      await here.resume('crm');
      expect(await there.gate('crm')).toEqual({ go: true });
      expect(await here.gate('crm')).toEqual({ go: true });
      // A pause kept from when it had a breaker (its settings since changed) still stops it: the
      // rate script reads it too.
      await client.hset(`${prefix}:destination:crm`, 'pausedAt', String(clock.now));
      expect(await here.gate('crm')).toMatchObject({ go: false, why: 'paused' });
      await here.resume('crm');
      expect(await here.gate('crm')).toEqual({ go: true });

      // Without a rate limit or breaker nothing is read per delivery: the process answered holds,
      // in its memory; the others learn it from their own first refusal, and the API cannot show it.
      await here.held('plain', 2_000);
      expect(await here.gate('plain')).toMatchObject({ go: false, why: 'held' });
      expect(await there.gate('plain')).toEqual({ go: true });
      expect((await there.list())[1]?.heldUntil).toBeUndefined();
      clock.now += 2_000;
      expect(await here.gate('plain')).toEqual({ go: true });
    });
  });
});

describe('a half-open breaker with a rate limit or a hold, on real Redis with a clock the test moves', () => {
  it('lets another delivery probe when the rate limit or a Retry-After stops the probe from going', async () => {
    await onRedisWithClock(async (client, clock) => {
      const breaker = { failures: 1, coolDownSeconds: 10, pauseAfterOpenings: 5 };
      const states = statesOn(client, clock, {
        destinations: {
          limited: {
            url: 'http://127.0.0.1:1/',
            timeoutMs: 1_000,
            breaker,
            rateLimit: { max: 1, perSeconds: 60 },
          },
          held: { url: 'http://127.0.0.1:2/', timeoutMs: 1_000, breaker },
        },
      });
      // limited: its one send a minute goes, fails, opens the breaker; the cool-down passes.
      expect(await states.gate('limited')).toEqual({ go: true });
      await states.failed('limited');
      // held: opened the same way, and its probe goes.
      await states.failed('held');
      clock.now += 10_000;
      // The rate limit refuses the probe: it does not go, and the next delivery may probe (the
      // rate limit refuses it too) rather than wait for a probe that never went.
      expect(await states.gate('limited')).toMatchObject({ go: false, why: 'rate' });
      expect(await states.gate('limited')).toMatchObject({ go: false, why: 'rate' });
      // The probe answered 429 with Retry-After: neither a success nor a failure. Once the hold
      // is over, a delivery probes.
      expect(await states.gate('held')).toEqual({ go: true });
      expect(await states.gate('held')).toMatchObject({ go: false, why: 'probing' });
      await states.held('held', 1_000);
      clock.now += 1_000;
      expect(await states.gate('held')).toEqual({ go: true });
    });
  });
});

describe('a destination that answers 429 with Retry-After', () => {
  it('gets no other delivery until then: the next events wait, each is sent once, none is a dead letter, its breaker stays closed', async () => {
    const RETRY_AFTER_SECONDS = 2;
    const EVENTS = 6;
    let refused: { key: string; at: number } | undefined;
    // Refuses the first request, and any that comes sooner than it asked.
    const sink = await startSink(({ key }) => {
      refused ??= { key, at: Date.now() };
      if (Date.now() >= refused.at + RETRY_AFTER_SECONDS * 1000) return { status: 200 };
      return { status: 429, headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } };
    });
    try {
      const webhooks = await start(
        {
          sources: { stripe: { scheme: 'stripe', secrets: ['STRIPE_SECRET'] } },
          // A breaker that a single failure would open, and pause: a 429 is not one.
          destinations: {
            paced: {
              url: sink.url,
              breaker: { failures: 1, coolDownSeconds: 60, pauseAfterOpenings: 1 },
            },
          },
          routes: [{ source: 'stripe', to: ['paced'] }],
        },
        [20, 40, 80],
      );
      webhooks.startWorkers();
      const post = async (id: string) => {
        expect(
          (await webhooks.post('stripe', stripeEvent({ id, type: 'invoice.paid' }))).status,
        ).toBe(202);
      };
      await post('evt-hold-first');
      // Refused, and back in the queue for its retry: the worker has read the answer.
      await vi.waitFor(
        async () => {
          expect(await webhooks.engine.deliveries.getDelayedCount()).toBe(1);
        },
        { timeout: 10_000, interval: 50 },
      );
      // Seen on /metrics: the seconds left of its hold. Its name is this test's alone: the services
      // here share one meter, and of two observations of one destination the last to finish wins.
      const heldSeconds = async () =>
        (await telemetry.points('manifold.webhooks.destination.held')).find(
          (point) => point.attributes['destination'] === 'paced',
        )?.value;
      expect(await heldSeconds()).toBeGreaterThan(0);
      expect(await heldSeconds()).toBeLessThanOrEqual(RETRY_AFTER_SECONDS);
      for (let i = 0; i < EVENTS; i += 1) await post(`evt-hold-${i}`);
      await vi.waitFor(
        async () => {
          expect(await webhooks.engine.deliveries.getCompletedCount()).toBe(EVENTS + 1);
        },
        { timeout: 20_000, interval: 100 },
      );
      // One refusal in all: the first; every other request came once the destination said to.
      expect(sink.sent()).toBe(EVENTS + 2);
      expect([...sink.requests.values()].sort((a, b) => a - b)).toEqual([
        ...Array<number>(EVENTS).fill(1),
        2,
      ]);
      const refusedAt = sink.arrivals.get(refused!.key)![0]!;
      const later = [...sink.arrivals.values()].flat().filter((at) => at !== refusedAt);
      expect(later).toHaveLength(EVENTS + 1);
      expect(Math.min(...later) - refusedAt).toBeGreaterThanOrEqual(
        RETRY_AFTER_SECONDS * 1000 - 50,
      );
      expect(await webhooks.engine.deliveries.getFailedCount()).toBe(0);
      expect(await heldSeconds()).toBe(0);
      const { items } = (await (await fetch(`${webhooks.url}/api/v1/destinations`)).json()) as {
        items: { state: string; consecutiveOpenings: number }[];
      };
      expect(items[0]).toMatchObject({ state: 'active', consecutiveOpenings: 0 });
    } finally {
      await sink.close();
    }
  });
});

describe('a destination that keeps failing', () => {
  it('is paused visibly, its deliveries wait (none dead-lettered), and a resume delivers them all', async () => {
    const EVENTS = 5;
    await sinks.misbehave({ sink: 'chat', ratio: 1, status: 503 });
    const webhooks = await start(
      {
        sources: { stripe: { scheme: 'stripe', secrets: ['STRIPE_SECRET'] } },
        destinations: {
          chat: {
            url: `${sinksUrl}/chat/hooks`,
            breaker: { failures: 2, coolDownSeconds: 0.5, pauseAfterOpenings: 2 },
          },
        },
        routes: [{ source: 'stripe', to: ['chat'] }],
      },
      [20, 40, 80, 160, 320],
    );
    webhooks.startWorkers();
    for (let i = 0; i < EVENTS; i += 1)
      expect(
        (await webhooks.post('stripe', stripeEvent({ id: `evt-pause-${i}`, type: 'invoice.paid' })))
          .status,
      ).toBe(202);
    const destinations = async () =>
      (
        (await (await fetch(`${webhooks.url}/api/v1/destinations`)).json()) as {
          items: { name: string; state: string; reason?: string; pausedAt?: string }[];
        }
      ).items;
    await vi.waitFor(
      async () => {
        expect(await destinations()).toMatchObject([
          {
            name: 'chat',
            state: 'paused',
            reason: expect.stringMatching(/breaker opened 2 times/),
          },
        ]);
      },
      { timeout: 20_000, interval: 100 },
    );
    const stateMetric = async () =>
      (await telemetry.points('manifold.webhooks.destination.state')).map((point) => [
        point.attributes['destination'],
        point.value,
      ]);
    expect(await stateMetric()).toContainEqual(['chat', 3]);
    // Held, not failed: every delivery is still queued.
    const counts = await webhooks.engine.deliveries.getJobCounts(
      'failed',
      'delayed',
      'waiting',
      'active',
    );
    expect(counts['failed']).toBe(0);
    expect(counts['delayed']! + counts['waiting']! + counts['active']!).toBe(EVENTS);

    await sinks.misbehave({ sink: 'chat', ratio: 0 });
    const resumed = await fetch(`${webhooks.url}/api/v1/destinations/chat/resume`, {
      method: 'POST',
    });
    expect(resumed.status).toBe(200);
    expect(
      (await fetch(`${webhooks.url}/api/v1/destinations/nope/resume`, { method: 'POST' })).status,
    ).toBe(404);
    await vi.waitFor(
      async () => {
        expect(await webhooks.engine.deliveries.getCompletedCount()).toBe(EVENTS);
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(new Set((await sinks.report('chat')).effects.map((effect) => effect.eventId)).size).toBe(
      EVENTS,
    );
    expect(await destinations()).toMatchObject([{ name: 'chat', state: 'active' }]);
    expect(await stateMetric()).toContainEqual(['chat', 0]);
    expect(await webhooks.engine.deliveries.getFailedCount()).toBe(0);
  });
});

describe('per-key ordering', () => {
  it('holds later events for a key while an earlier one retries, and holds no other key', async () => {
    const applied: string[] = [];
    const sink = await startSink(({ attempt, body }) => {
      const { id } = JSON.parse(body) as { id: string };
      // e1 fails twice, and until the other customer's event got through (which it must, not
      // waiting behind e1).
      if (id === 'e1' && (attempt <= 2 || !applied.includes('e4'))) return { status: 503 };
      applied.push(id);
      return { status: 200 };
    });
    try {
      const webhooks = await start(
        {
          sources: { stripe: { scheme: 'stripe', secrets: ['STRIPE_SECRET'] } },
          destinations: { crm: { url: sink.url } },
          routes: [{ source: 'stripe', to: ['crm'], orderBy: 'data.object.customer' }],
        },
        [50, 100, 200, 400, 800],
      );
      const events = [
        ['e1', 'cus_A'],
        ['e2', 'cus_A'],
        ['e3', 'cus_A'],
        ['e4', 'cus_B'],
      ] as const;
      for (const [id, customer] of events) {
        const response = await webhooks.post(
          'stripe',
          stripeEvent({ id, type: 'customer.updated', data: { object: { customer } } }),
        );
        expect(response.status).toBe(202);
        // The sender sends them apart in time: the order to keep is the order received.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      webhooks.startWorkers();
      await vi.waitFor(
        () => {
          expect(applied).toHaveLength(4);
        },
        { timeout: 20_000, interval: 100 },
      );
      expect(applied.filter((id) => id !== 'e4')).toEqual(['e1', 'e2', 'e3']);
      expect(applied.indexOf('e4')).toBeLessThan(applied.indexOf('e1'));
      expect(await webhooks.engine.deliveries.getFailedCount()).toBe(0);
    } finally {
      await sink.close();
    }
  });

  it('lets a resend of an event already delivered neither re-enter its line nor go again', async () => {
    let applied = 0;
    const sink = await startSink(() => {
      applied++;
      return { status: 200 };
    });
    try {
      const webhooks = await start({
        sources: { stripe: { scheme: 'stripe', secrets: ['STRIPE_SECRET'] } },
        destinations: { crm: { url: sink.url } },
        routes: [{ source: 'stripe', to: ['crm'], orderBy: 'data.object.customer' }],
      });
      const sent = stripeEvent({
        id: 'resent',
        type: 'customer.updated',
        data: { object: { customer: 'cus_R' } },
      });
      expect((await webhooks.post('stripe', sent)).status).toBe(202);
      webhooks.startWorkers();
      const job = deliveryKey(eventKey('stripe', 'resent'), 'crm');
      await vi.waitFor(
        async () => {
          expect(await webhooks.engine.deliveries.getJobState(job)).toBe('completed');
        },
        { timeout: 10_000, interval: 50 },
      );
      const line = orderLineKey(webhooks.engine.prefix, 'crm', 'cus_R');
      expect(await webhooks.engine.redis.exists(line)).toBe(0);
      // The sender's retry within the duplicate window: recognised, and nothing re-enters the
      // line (an entry there would be a delivery that is over, left for a later event to clear).
      const resend = await webhooks.post('stripe', sent);
      expect(resend.status).toBe(200);
      expect(await webhooks.engine.redis.exists(line)).toBe(0);
      expect(await webhooks.engine.deliveries.getJobState(job)).toBe('completed');
      expect(applied).toBe(1);
    } finally {
      await sink.close();
    }
  });
});
