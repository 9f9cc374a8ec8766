import { randomUUID } from 'node:crypto';
import { moneyFromCents, type SqliteDatabase } from '@manifold/platform/data';

/**
 * The orders subgraph's transactional outbox: each domain event is a row written in the same
 * SQLite transaction as the change it reports, so an order is never placed without its
 * `order.created`, nor an event sent for an order that was rolled back. The relay
 * (relay.ts) sends unsent rows to the webhooks service in `seq` order and marks them sent.
 *
 * `order.status_changed` comes from a trigger: whatever changes an order's status (a mutation,
 * an operator's UPDATE, a back-office import) records it, in that change's transaction.
 *
 * Created on open, not in the seeded schema: an existing database gains it without a reseed.
 */
export const OUTBOX_SQL = `
CREATE TABLE IF NOT EXISTS event_outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  rejected TEXT
);
CREATE INDEX IF NOT EXISTS event_outbox_unsent ON event_outbox (seq) WHERE sent_at IS NULL AND rejected IS NULL;
CREATE TRIGGER IF NOT EXISTS orders_status_changed AFTER UPDATE OF status ON orders
WHEN OLD.status IS NOT NEW.status
BEGIN
  INSERT INTO event_outbox (id, type, payload, created_at)
  SELECT id, 'order.status_changed',
    json_object('type', 'order.status_changed', 'timestamp', at, 'data', json_object(
      'id', CAST(NEW.id AS TEXT), 'number', NEW.number, 'customerId', CAST(NEW.customer_id AS TEXT),
      'previousStatus', OLD.status, 'status', NEW.status)),
    at
  FROM (SELECT 'msg_' || lower(hex(randomblob(16))) AS id, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS at);
END;`;

export interface OrderCreated {
  id: number;
  number: string;
  status: string;
  placedAt: string;
  customerId: number;
  currency: string;
  totalCents: number;
  lines: { productId: number; quantity: number; unitPriceCents: number }[];
}

/** Records `order.created` — call inside the transaction that inserts the order. */
export function recordOrderCreated(db: SqliteDatabase, order: OrderCreated): void {
  const payload = JSON.stringify({
    type: 'order.created',
    timestamp: order.placedAt,
    data: {
      id: String(order.id),
      number: order.number,
      status: order.status,
      placedAt: order.placedAt,
      customerId: String(order.customerId),
      total: moneyFromCents(order.totalCents, order.currency),
      lines: order.lines.map((line) => ({
        productId: String(line.productId),
        quantity: line.quantity,
        unitPrice: moneyFromCents(line.unitPriceCents, order.currency),
      })),
    },
  });
  db.run(
    'INSERT INTO event_outbox (id, type, payload, created_at) VALUES (?, ?, ?, ?)',
    `msg_${randomUUID().replaceAll('-', '')}`,
    'order.created',
    payload,
    order.placedAt,
  );
}
