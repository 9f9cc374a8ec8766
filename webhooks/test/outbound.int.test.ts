// Outbound webhooks to customers' systems, end to end in one process: an order placed through
// the orders subgraph → its outbox → the relay's signed POST to the webhooks service's internal
// `manifold` source → fan-out to registered endpoints → each delivery signed per Standard
// Webhooks, verified by subscribers with the official `standardwebhooks` library — during a
// rotation too. And the disabling rules, each end to end: an endpoint whose deliveries keep
// dying (dead letters in a row), or that has only failed for days (on a clock the test moves), is
// disabled, says so (API, `endpoint.disabled`), gets nothing while disabled, and is enabled again.
import { randomBytes, randomUUID } from 'node:crypto';
import { Secret } from '@manifold/platform/auth';
import {
  requireRedis,
  serveGraphQL,
  silentLogger,
  testGatewayIdentity,
  type TestGraphQLServer,
} from '@manifold/platform/testing';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp as createOrdersApp } from '../../subgraphs/orders/src/app.ts';
import { openOrdersDatabase } from '../../subgraphs/orders/src/data/database.ts';
import { startOutboxRelay, type OutboxRelay } from '@manifold/platform/events';
import { sign } from './signers.ts';
import { startSink, startWebhooks, type Sink, type TestWebhooks } from './support.ts';

const whsec = () => `whsec_${randomBytes(24).toString('base64')}`;
/** The orders subgraph ↔ webhooks service secret (the internal source's). */
const INTERNAL = whsec();
/** The subscriber's secrets in the middle of a rotation: both are active. */
const CURRENT = whsec();
const PREVIOUS = whsec();
const OPS = whsec();

const db = openOrdersDatabase({ path: ':memory:', orderCount: 10, userCount: 5, productCount: 5 });
let orders: { server: TestGraphQLServer; close: () => Promise<void> };
let relay: OutboxRelay;
let webhooks: TestWebhooks;
/** A customer's system subscribed to order events. */
let subscriber: Sink;
/** A customer's system that only ever fails. */
let failing: Sink;
/** A customer's operations channel, subscribed to endpoint.disabled. */
let ops: Sink;

interface Delivered {
  type: string;
  data: Record<string, unknown>;
}
const bodies = (sink: Sink) => sink.received.map(({ body }) => JSON.parse(body) as Delivered);
const headersOf = (request: Sink['received'][number]) =>
  Object.fromEntries(
    ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [
      name,
      String(request.headers[name]),
    ]),
  );

const PLACE_ORDER = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id number } }`;
const placeOrder = async () => {
  const response = await orders.server.query<{ placeOrder: { id: string; number: string } }>(
    PLACE_ORDER,
    {
      input: {
        customerId: '1',
        lines: [{ productId: '2', quantity: 3 }],
        idempotencyKey: randomUUID(),
      },
    },
  );
  expect(response.errors).toBeUndefined();
  return response.data!.placeOrder;
};

beforeAll(async () => {
  subscriber = await startSink(() => ({ status: 204 }));
  failing = await startSink(() => ({ status: 503 }));
  ops = await startSink(() => ({ status: 200 }));
  webhooks = await startWebhooks({
    redisUrl: await requireRedis(),
    file: {
      sources: { manifold: { scheme: 'standard-webhooks', secrets: ['INTERNAL_SECRET'] } },
      endpoints: {
        subscriber: {
          url: subscriber.url,
          events: ['order.*'],
          secrets: ['SUBSCRIBER_SECRET', 'SUBSCRIBER_SECRET_PREVIOUS'],
        },
        // Subscribed to endpoint.disabled too: not sent the news of its own disabling.
        failing: {
          url: failing.url,
          events: ['order.*', 'endpoint.disabled'],
          secrets: ['FAILING_SECRET'],
        },
        ops: { url: ops.url, events: ['endpoint.disabled'], secrets: ['OPS_SECRET'] },
      },
    },
    secrets: {
      INTERNAL_SECRET: INTERNAL,
      SUBSCRIBER_SECRET: CURRENT,
      SUBSCRIBER_SECRET_PREVIOUS: PREVIOUS,
      FAILING_SECRET: whsec(),
      OPS_SECRET: OPS,
    },
    // Three attempts per delivery; two dead letters in a row disable an endpoint.
    schedule: [10, 20],
    disableRule: { afterDeadLetters: 2, afterMs: 3_600_000 },
  });
  webhooks.startWorkers();
  const trust = testGatewayIdentity();
  const { app, close } = await createOrdersApp({
    db,
    logger: silentLogger('orders'),
    production: true,
    identity: trust.verifier,
  });
  const server = await serveGraphQL(app, { headers: await trust.headers() });
  orders = {
    server,
    close: async () => {
      await server.close();
      await close();
    },
  };
  relay = startOutboxRelay({
    db,
    url: `${webhooks.url}/hooks/manifold`,
    secret: new Secret(() => INTERNAL, 'test'),
    logger: silentLogger('orders'),
    idleMs: 20,
  });
});

afterAll(async () => {
  await relay.close();
  await orders.close();
  await webhooks.close();
  await Promise.all([subscriber, failing, ops].map((sink) => sink.close()));
  db.close();
});

describe('outbound webhooks', () => {
  it('delivers an order placed through the orders subgraph as order.created, then its status change, verifiable with either secret of a rotation', async () => {
    const order = await placeOrder();
    await vi.waitFor(
      () => {
        expect(bodies(subscriber).map((body) => body.type)).toContain('order.created');
      },
      {
        timeout: 10_000,
      },
    );
    db.run("UPDATE orders SET status = 'PAID' WHERE id = ?", Number(order.id));
    await vi.waitFor(
      () => {
        expect(bodies(subscriber).map((body) => body.type)).toContain('order.status_changed');
      },
      { timeout: 10_000 },
    );

    const [created, changed] = subscriber.received;
    expect(JSON.parse(created!.body)).toMatchObject({
      type: 'order.created',
      data: { id: order.id, number: order.number, status: 'PENDING', customerId: '1' },
    });
    expect(JSON.parse(changed!.body)).toMatchObject({
      type: 'order.status_changed',
      data: { id: order.id, previousStatus: 'PENDING', status: 'PAID' },
    });
    for (const request of [created!, changed!]) {
      const headers = headersOf(request);
      // Both secrets sign during the rotation: a subscriber holding either one verifies.
      expect(new Webhook(CURRENT).verify(request.body, headers)).toEqual(JSON.parse(request.body));
      expect(new Webhook(PREVIOUS).verify(request.body, headers)).toEqual(JSON.parse(request.body));
      expect(() => new Webhook(OPS).verify(request.body, headers)).toThrow();
      expect(request.headers['idempotency-key']).toBe(headers['webhook-id']);
    }
    expect(subscriber.effects.size).toBe(2);
  });

  it('disables an endpoint after its dead letters in a row, says so, sends it nothing more until enabled again', async () => {
    // The first test's two events died at `failing` after three attempts each, every attempt
    // under the same webhook-id: two dead letters in a row → disabled.
    await vi.waitFor(
      async () => {
        const states = await (await fetch(`${webhooks.url}/api/v1/endpoints`)).json();
        expect(states).toMatchObject({
          items: expect.arrayContaining([
            expect.objectContaining({ name: 'failing', disabled: true, consecutiveDeadLetters: 2 }),
          ]),
        });
      },
      { timeout: 10_000 },
    );
    expect([...failing.requests.values()]).toEqual([3, 3]);
    const disabledEvent = await vi.waitFor(
      () => {
        const request = ops.received.find((r) => r.body.includes('endpoint.disabled'));
        expect(request).toBeDefined();
        return request!;
      },
      { timeout: 10_000 },
    );
    expect(new Webhook(OPS).verify(disabledEvent.body, headersOf(disabledEvent))).toMatchObject({
      type: 'endpoint.disabled',
      data: { endpoint: 'failing', consecutiveDeadLetters: 2 },
    });
    // The endpoint disabled, subscribed too, is not sent it (it would be a dead letter at once):
    // of the deliveries in every state, the notice's one goes to ops.
    const deliveries = await webhooks.engine.deliveries.getJobs([
      'completed',
      'active',
      'waiting',
      'delayed',
      'failed',
    ]);
    expect(
      deliveries
        .filter((job) => job.data.eventType === 'endpoint.disabled')
        .map((job) => job.data.destination),
    ).toEqual(['ops']);
    expect(
      (await webhooks.deadLetters.list({ destination: 'failing', eventType: 'endpoint.disabled' }))
        .items,
    ).toEqual([]);

    // Disabled: a new order reaches the subscriber but not `failing` — a dead letter instead.
    failing.answer.current = () => ({ status: 200 });
    const requestsBefore = failing.received.length;
    await placeOrder();
    await vi.waitFor(async () => {
      const { items } = await webhooks.deadLetters.list({
        destination: 'failing',
        error: 'endpoint disabled',
      });
      expect(items).toHaveLength(1);
    });
    expect(failing.received.length).toBe(requestsBefore);

    // Enabled again (API), then its dead letters replayed: it gets them, under their ids.
    const enabled = await fetch(`${webhooks.url}/api/v1/endpoints/failing/enable`, {
      method: 'POST',
    });
    expect(enabled.status).toBe(200);
    expect(await enabled.json()).toMatchObject({ disabled: false, consecutiveDeadLetters: 0 });
    const replay = await webhooks.deadLetters.replayMatching(
      { destination: 'failing' },
      { dryRun: false },
    );
    expect(replay.replayed).toBe(3);
    await vi.waitFor(
      () => {
        expect(failing.effects.size).toBe(3);
      },
      { timeout: 10_000 },
    );
    expect(await webhooks.deadLetters.count()).toBe(0);
    expect(
      (await fetch(`${webhooks.url}/api/v1/endpoints/nobody/enable`, { method: 'POST' })).status,
    ).toBe(404);
  });
});

describe('outbound webhooks, disabled by time', () => {
  const HOUR = 3_600_000;
  /** The endpoint states' clock: days pass between events without the test waiting for them. */
  const clock = { now: Date.parse('2026-03-02T08:00:00.000Z') };
  const dayZero = new Date(clock.now).toISOString();
  const disabledAt = new Date(clock.now + 72 * HOUR).toISOString();
  const TIMED_OPS = whsec();
  let timed: TestWebhooks;
  /** A customer's system that answers 503 for days. */
  let down: Sink;
  /** That customer's operations channel, subscribed to endpoint.disabled. */
  let channel: Sink;

  /** An order event from the orders subgraph, signed as its relay signs (the internal source). */
  const send = async (id: string) => {
    const response = await timed.post(
      'manifold',
      sign.standard(INTERNAL, { id, type: 'order.created' }),
    );
    expect(response.status).toBe(202);
  };
  const deadLetterOf = async (eventId: string) =>
    vi.waitFor(
      async () => {
        const { items } = await timed.deadLetters.list({ destination: 'down' });
        const letter = items.find((item) => item.eventId === eventId);
        expect(letter).toBeDefined();
        return letter!;
      },
      { timeout: 10_000 },
    );
  const stateOfDown = async () => {
    const { items } = (await (await fetch(`${timed.url}/api/v1/endpoints`)).json()) as {
      items: { name: string }[];
    };
    return items.find((item) => item.name === 'down');
  };

  beforeAll(async () => {
    down = await startSink(() => ({ status: 503 }));
    channel = await startSink(() => ({ status: 204 }));
    timed = await startWebhooks({
      redisUrl: await requireRedis(),
      file: {
        sources: { manifold: { scheme: 'standard-webhooks', secrets: ['INTERNAL_SECRET'] } },
        endpoints: {
          down: { url: down.url, events: ['order.*'], secrets: ['DOWN_SECRET'] },
          channel: { url: channel.url, events: ['endpoint.disabled'], secrets: ['OPS_SECRET'] },
        },
      },
      secrets: { INTERNAL_SECRET: INTERNAL, DOWN_SECRET: whsec(), OPS_SECRET: TIMED_OPS },
      // Three attempts per delivery. Dead letters in a row never get there: only time disables.
      schedule: [10, 20],
      disableRule: { afterDeadLetters: 100, afterMs: 72 * HOUR },
      now: () => clock.now,
    });
    timed.startWorkers();
  });

  afterAll(async () => {
    await timed.close();
    await Promise.all([down, channel].map((sink) => sink.close()));
  });

  it('disables an endpoint that has only failed for three days, says so, sends it nothing more until enabled again', async () => {
    // Day 0 and day 2: each event dies at `down` after three attempts; still under three days.
    await send('evt_day0');
    await deadLetterOf('evt_day0');
    clock.now += 48 * HOUR;
    await send('evt_day2');
    await deadLetterOf('evt_day2');
    expect(await stateOfDown()).toMatchObject({
      disabled: false,
      failingSince: dayZero,
      consecutiveDeadLetters: 2,
    });
    expect(down.received).toHaveLength(6);
    expect(channel.received).toHaveLength(0);

    // Day 3: the first failed attempt crosses the rule; the event's retries are not sent.
    clock.now += 24 * HOUR;
    await send('evt_day3');
    await deadLetterOf('evt_day3');
    expect(await stateOfDown()).toMatchObject({
      disabled: true,
      disabledAt,
      reason: 'only failures for 72 h',
      failingSince: dayZero,
    });
    expect(down.received).toHaveLength(7);

    const announced = await vi.waitFor(
      () => {
        expect(channel.received).toHaveLength(1);
        return channel.received[0]!;
      },
      { timeout: 10_000 },
    );
    expect(new Webhook(TIMED_OPS).verify(announced.body, headersOf(announced))).toEqual({
      type: 'endpoint.disabled',
      timestamp: disabledAt,
      data: {
        endpoint: 'down',
        reason: 'only failures for 72 h',
        failingSince: dayZero,
        consecutiveDeadLetters: 2,
      },
    });

    // Disabled: the next event becomes a dead letter saying why, and `down` sees no request.
    down.answer.current = () => ({ status: 200 });
    await send('evt_day3_later');
    expect((await deadLetterOf('evt_day3_later')).error).toContain(
      `endpoint disabled since ${disabledAt} (only failures for 72 h)`,
    );
    expect(down.received).toHaveLength(7);

    // Enabled again (API), its dead letters replayed: each reaches it, under its own id.
    const enabled = await fetch(`${timed.url}/api/v1/endpoints/down/enable`, { method: 'POST' });
    expect(enabled.status).toBe(200);
    expect(await enabled.json()).toMatchObject({ disabled: false, consecutiveDeadLetters: 0 });
    const replay = await timed.deadLetters.replayMatching(
      { destination: 'down' },
      { dryRun: false },
    );
    expect(replay.replayed).toBe(4);
    await vi.waitFor(
      () => {
        expect(down.effects.size).toBe(4);
      },
      { timeout: 10_000 },
    );
    expect(await timed.deadLetters.count()).toBe(0);
    expect(await stateOfDown()).toMatchObject({ disabled: false });
    expect(channel.received).toHaveLength(1);
  });
});
