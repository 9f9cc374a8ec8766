import { moneyFromCents, type SqliteDatabase } from '@manifold/platform/data';
import { OUTBOX_TABLE_SQL, recordEvent } from '@manifold/platform/events';

/**
 * The orders subgraph's events, through the transactional outbox every Manifold service with
 * events shares (@manifold/platform/events: the table, and the relay that sends it to the
 * webhooks service): an order is never placed without its `order.created`, nor an event sent
 * for an order that was rolled back.
 *
 * `order.status_changed` comes from a trigger: whatever changes an order's status (a mutation,
 * an operator's UPDATE, a back-office import) records it, in that change's transaction.
 *
 * Created on open, not in the seeded schema: an existing database gains it without a reseed.
 */
export const OUTBOX_SQL = `${OUTBOX_TABLE_SQL}
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
  recordEvent(db, {
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
}
