import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { Secret } from '../auth/index.ts';
import { SqliteDatabase } from '../data/index.ts';
import { silentLogger } from '../testing/index.ts';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OUTBOX_TABLE_SQL, recordEvent } from './outbox.ts';
import { startOutboxRelay, type OutboxRelay } from './outbox-relay.ts';

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

function openOutbox(): SqliteDatabase {
  const db = new SqliteDatabase(':memory:');
  db.exec(OUTBOX_TABLE_SQL);
  return db;
}
const record = (db: SqliteDatabase, type: string) =>
  recordEvent(db, { type, timestamp: new Date().toISOString(), data: { id: '1' } });
const unsent = (db: SqliteDatabase) =>
  db.get<{ n: number }>(
    'SELECT count(*) AS n FROM event_outbox WHERE sent_at IS NULL AND rejected IS NULL',
  )?.n;

let relay: OutboxRelay | undefined;
afterEach(async () => {
  await relay?.close();
});

describe('outbox relay', () => {
  it('keeps events while the webhooks service fails and sends them in order once it answers', async () => {
    const db = openOutbox();
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
    record(db, 'order.created');
    record(db, 'order.status_changed');
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
    const db = openOutbox();
    const receiver = await startReceiver((body) => (body.includes('order.created') ? 409 : 202));
    record(db, 'order.created');
    record(db, 'order.status_changed');
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
