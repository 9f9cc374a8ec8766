// Issue 12: the legacy adapter as a webhook destination. A signed Stripe `invoice.paid` goes
// through the webhooks service, is shaped by deploy/webhooks.yaml's own `tickets` transform into
// the adapter's CreateTicket, and opens one ticket in the PHP monolith; a replay of its delivery
// opens none more (the adapter honours the delivery's Idempotency-Key). Real parts: the monolith
// (php -S, SQLite), the adapter over HTTP with its API-key authentication, a real Redis (AOF),
// the webhooks receiver, its delivery worker and its dead-letter API.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { authenticationEdge, createAuthenticator, generateApiKey } from '@manifold/platform/auth';
import {
  silentLogger,
  startPhpServer,
  startRedisServer,
  type PhpServer,
  type RedisServer,
} from '@manifold/platform/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { accessScopes } from '../legacy-rest-adapter/src/config.ts';
import { startAdapter, type Adapter } from '../legacy-rest-adapter/test/support.ts';
import type { Delivered } from '../webhooks/src/delivery/deliver.ts';
import { startWorkers, type Workers } from '../webhooks/src/engine/workers.ts';
import { createWebhooksMetrics } from '../webhooks/src/metrics.ts';
import { loadWebhooksFile } from '../webhooks/src/settings/webhooks-file.ts';
import { sign } from '../webhooks/test/signers.ts';
import {
  deliveryOf,
  referenceDestination,
  startWebhooks,
  writeWebhooksFile,
  type TestWebhooks,
} from '../webhooks/test/support.ts';
import { apiKeyAccess } from './support/api-key-access.ts';

const STRIPE_SECRET = 'whsec_destinations_test';
const ticketsKey = generateApiKey();
const authenticate = createAuthenticator({
  access: apiKeyAccess({ 'webhooks-tickets': { key: ticketsKey, scopes: ['tickets:write'] } }),
});
/** The committed reference destination, as operators get it: its transform under test. */
const reference = referenceDestination('tickets');

let redis: RedisServer;
let monolith: PhpServer;
let adapter: Adapter;
let webhooks: TestWebhooks;
/** The delivery workers running the webhooks file as first configured. */
let workers: Workers;
const stops: (() => unknown)[] = [];
const aofDir = mkdtempSync(join(tmpdir(), 'destinations-aof-'));
const dataDir = mkdtempSync(join(tmpdir(), 'destinations-monolith-'));
let monolithDb: DatabaseSync | undefined;
/** The monolith's own tickets, read from its database (it exists once the monolith served a page). */
const ticketRows = (sql: string, value: string) => {
  monolithDb ??= new DatabaseSync(join(dataDir, 'legacy.sqlite'), { readOnly: true });
  return monolithDb.prepare(sql).all(value) as Record<string, unknown>[];
};
const ticketsWithSubject = (subject: string) =>
  ticketRows('SELECT id FROM tickets WHERE subject = ?', subject).length;

beforeAll(async () => {
  redis = await startRedisServer({ appendOnlyDir: aofDir });
  stops.push(() => redis.stop());
  monolith = await startPhpServer({
    router: fileURLToPath(new URL('../upstreams/php-monolith/router.php', import.meta.url)),
    env: {
      LEGACY_DATABASE_PATH: join(dataDir, 'legacy.sqlite'),
      LEGACY_SESSION_PATH: join(dataDir, 'sessions'),
    },
  });
  stops.push(() => monolith.stop());
  adapter = await startAdapter({
    monolith,
    policy: { timeoutMs: 10_000 },
    edge: [authenticationEdge({ authenticate, scopesFor: accessScopes })],
  });
  stops.push(() => adapter.close());
  webhooks = await startWebhooks({
    redisUrl: redis.url,
    file: {
      sources: { stripe: { scheme: 'stripe', secrets: ['STRIPE_SECRET'] } },
      destinations: {
        tickets: { ...reference, url: `${adapter.url}/api/v1/tickets`, timeoutMs: 1_000 },
      },
      routes: [{ source: 'stripe', events: ['invoice.paid'], to: ['tickets'] }],
    },
    secrets: { STRIPE_SECRET, WEBHOOKS_TICKETS_API_KEY: ticketsKey.key },
    // One attempt: a timed-out delivery is a dead letter at once (the replay is under test).
    schedule: [],
  });
  stops.push(() => webhooks.close());
  workers = webhooks.startWorkers();
});
afterAll(async () => {
  monolithDb?.close();
  for (const stop of stops.reverse()) await stop();
  for (const dir of [aofDir, dataDir]) rmSync(dir, { recursive: true, force: true });
});

/** A Stripe `invoice.paid`, signed as Stripe documents it (t=…,v1=HMAC of `<t>.<body>`). */
function paidInvoice(invoice: Record<string, unknown>) {
  const id = `evt_${randomUUID()}`;
  return {
    id,
    ...sign.stripe(STRIPE_SECRET, {
      id,
      type: 'invoice.paid',
      object: { object: 'invoice', ...invoice },
    }),
  };
}

const api = (path: string, init?: RequestInit) => fetch(`${webhooks.url}/api/v1${path}`, init);

async function deadLetter(id: string) {
  return (await (await api(`/dead-letters/${id}`)).json()) as {
    destination: string;
    history: { attempt: number; status?: number; error?: string }[];
  };
}

describe('a paid Stripe invoice routed to the legacy adapter', () => {
  it('opens exactly one ticket, built by the reference transform', async () => {
    const number = `INV-${Date.now()}`;
    const subject = `Invoice ${number} paid: 123.50 EUR by ada@example.com`;
    const event = paidInvoice({
      number,
      amount_paid: 12_350,
      currency: 'eur',
      customer: 'cus_ada',
      customer_email: 'ada@example.com',
      metadata: { legacy_customer_id: '1' },
    });
    expect((await webhooks.post('stripe', event)).status).toBe(202);
    const id = await deliveryOf(webhooks, event.id, 'completed');
    // The transform's fields, for the invoice's customer in the legacy app.
    expect(
      ticketRows('SELECT id, customer_id, priority FROM tickets WHERE subject = ?', subject),
    ).toEqual([{ id: expect.any(Number) as unknown, customer_id: 1, priority: 'normal' }]);
    const delivered = (await webhooks.engine.deliveries.getJob(id))?.returnvalue as
      Delivered | undefined;
    expect(delivered).toMatchObject({ status: 201 });
    const answered = JSON.parse(delivered?.attempt?.response ?? '{}') as { id: number };
    expect(answered.id).toBe(
      ticketRows('SELECT id FROM tickets WHERE subject = ?', subject)[0]?.['id'],
    );
    // The sender's retry of the same event is a duplicate: nothing is delivered again.
    expect((await webhooks.post('stripe', event)).status).toBe(200);
    expect(ticketsWithSubject(subject)).toBe(1);
  });

  it('replayed after an unanswered attempt, opens no second ticket', async () => {
    const number = `INV-SLOW-${Date.now()}`;
    const subject = `Invoice ${number} paid: 9.00 USD by cus_slow`;
    // The monolith takes longer than the destination's 1 s: the attempt times out, the ticket is written.
    await adapter.plan({ operation: 'ticket_new', mode: 'latency', latencyMs: 2_000, times: 1 });
    const event = paidInvoice({
      number,
      amount_paid: 900,
      currency: 'usd',
      customer: 'cus_slow',
      metadata: { legacy_customer_id: '1' },
    });
    expect((await webhooks.post('stripe', event)).status).toBe(202);
    const id = await deliveryOf(webhooks, event.id, 'failed');
    expect((await deadLetter(id)).history).toEqual([
      expect.objectContaining({ attempt: 1, error: 'timed out after 1000 ms' }),
    ]);
    await vi.waitFor(
      () => {
        expect(ticketsWithSubject(subject)).toBe(1);
      },
      { timeout: 10_000, interval: 100 },
    );
    // The adapter has finished that request (and stored its answer under the delivery's key)…
    await vi.waitFor(
      async () => {
        const again = await adapter.request('POST', '/api/v1/tickets', {
          body: { customerId: 1, subject, urgent: false },
          headers: { 'x-api-key': ticketsKey.key, 'idempotency-key': id },
        });
        expect(again.headers.get('idempotent-replayed')).toBe('true');
      },
      { timeout: 10_000, interval: 100 },
    );
    // … so the replay, sent with the same key and the same shaped body, opens nothing more.
    expect((await api(`/dead-letters/${id}/replay`, { method: 'POST' })).status).toBe(202);
    await vi.waitFor(
      async () => {
        expect(await webhooks.engine.deliveries.getJobState(id)).toBe('completed');
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(ticketsWithSubject(subject)).toBe(1);
  });

  it('whose transform fails is a dead letter at once with the reason, nothing sent; replayed after a fix, delivered', async () => {
    const number = `INV-NOCUST-${Date.now()}`;
    const event = paidInvoice({ number, amount_paid: 100, currency: 'eur', customer: 'cus_x' });
    expect((await webhooks.post('stripe', event)).status).toBe(202);
    const id = await deliveryOf(webhooks, event.id, 'failed');
    const letter = await deadLetter(id);
    expect(letter.destination).toBe('tickets');
    expect(letter.history).toEqual([
      expect.objectContaining({
        attempt: 1,
        error: expect.stringMatching(
          /^transform failed: D3141 the invoice has no metadata\.legacy_customer_id/,
        ) as unknown,
      }),
    ]);
    expect(letter.history[0]?.status).toBeUndefined();
    expect(ticketRows('SELECT id FROM tickets WHERE subject LIKE ?', `%${number}%`)).toEqual([]);

    // The operator fixes the expression and restarts the workers: the replay evaluates the new one.
    await workers.close();
    const fixed = loadWebhooksFile(
      writeWebhooksFile({
        destinations: {
          tickets: {
            url: `${adapter.url}/api/v1/tickets`,
            apiKey: 'WEBHOOKS_TICKETS_API_KEY',
            transform: `{ 'customerId': $number($exists(body.data.object.metadata.legacy_customer_id) ? body.data.object.metadata.legacy_customer_id : '1'), 'subject': 'Invoice ' & body.data.object.number & ' paid (customer unknown)' }`,
          },
        },
      }),
      { WEBHOOKS_TICKETS_API_KEY: ticketsKey.key },
    );
    const metrics = createWebhooksMetrics();
    workers = startWorkers({
      engine: webhooks.engine,
      ordered: false,
      destinations: fixed.destinations,
      schedule: [],
      maxRetryAfterMs: 60_000,
      concurrency: 5,
      lockMs: 30_000,
      metrics,
      logger: silentLogger(),
    });
    stops.push(
      () => workers.close(),
      () => {
        metrics.dispose();
      },
    );
    expect((await api(`/dead-letters/${id}/replay`, { method: 'POST' })).status).toBe(202);
    await vi.waitFor(
      async () => {
        expect(await webhooks.engine.deliveries.getJobState(id)).toBe('completed');
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(ticketsWithSubject(`Invoice ${number} paid (customer unknown)`)).toBe(1);
  });
});
