import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { Secret } from '@manifold/platform/auth';
import { silentLogger } from '@manifold/platform/testing';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openOrdersDatabase } from '../data/database.ts';
import { placeOrder } from '../place-order.ts';
import { startOutboxRelay, type OutboxRelay } from './relay.ts';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

/** The webhooks service's internal source, answering what `answer` says; verifies each request. */
async function startReceiver(answer: (body: string) => number) {
  const accepted: { type: string }[] = [];
  const seen = { requests: 0 };
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      new Webhook(SECRET).verify(body, req.headers as IncomingHttpHeaders & Record<string, string>);
      seen.requests++;
      const status = answer(body);
      if (status < 300) accepted.push(JSON.parse(body) as { type: string });
      res.writeHead(status).end();
    });
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/hooks/manifold`,
    accepted,
    seen,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const order = () => ({
  customerId: '1',
  lines: [{ productId: '1', quantity: 1 }],
  idempotencyKey: randomUUID(),
});
const unsent = (db: ReturnType<typeof openOrdersDatabase>) =>
  db.get<{ n: number }>(
    'SELECT count(*) AS n FROM event_outbox WHERE sent_at IS NULL AND rejected IS NULL',
  )?.n;

let relay: OutboxRelay | undefined;
afterEach(async () => {
  await relay?.close();
});

describe('outbox relay', () => {
  it('keeps events while the webhooks service fails, orders still placed, and sends them in order once it answers', async () => {
    const db = openOrdersDatabase({
      path: ':memory:',
      orderCount: 1,
      userCount: 2,
      productCount: 2,
    });
    let up = false;
    const receiver = await startReceiver(() => (up ? 202 : 503));
    relay = startOutboxRelay({
      db,
      url: receiver.url,
      secret: new Secret(() => SECRET, 'test'),
      logger: silentLogger(),
      idleMs: 5,
      minBackoffMs: 5,
      maxBackoffMs: 20,
    });
    const placed = placeOrder(db, order());
    db.run("UPDATE orders SET status = 'CANCELLED' WHERE id = ?", placed.id);
    expect(placed.status).toBe('PENDING');
    // Refused again and again (backing off), and still kept.
    await vi.waitFor(() => {
      expect(receiver.seen.requests).toBeGreaterThanOrEqual(3);
    });
    expect(unsent(db)).toBe(2);
    up = true;
    await vi.waitFor(() => {
      expect(unsent(db)).toBe(0);
    });
    expect(receiver.accepted.map((event) => event.type)).toEqual([
      'order.created',
      'order.status_changed',
    ]);
    await relay.close();
    await receiver.close();
  });

  it('marks an event the service can never accept (a 4xx such as 409) rejected and goes on with the next', async () => {
    const db = openOrdersDatabase({
      path: ':memory:',
      orderCount: 1,
      userCount: 2,
      productCount: 2,
    });
    const receiver = await startReceiver((body) => (body.includes('order.created') ? 409 : 202));
    const placed = placeOrder(db, order());
    db.run("UPDATE orders SET status = 'PAID' WHERE id = ?", placed.id);
    relay = startOutboxRelay({
      db,
      url: receiver.url,
      secret: new Secret(() => SECRET, 'test'),
      logger: silentLogger(),
      idleMs: 5,
    });
    await vi.waitFor(() => {
      expect(unsent(db)).toBe(0);
    });
    expect(receiver.accepted.map((event) => event.type)).toEqual(['order.status_changed']);
    expect(db.all('SELECT type, rejected FROM event_outbox WHERE rejected IS NOT NULL')).toEqual([
      { type: 'order.created', rejected: 'HTTP 409' },
    ]);
    await relay.close();
    await receiver.close();
  });
});
