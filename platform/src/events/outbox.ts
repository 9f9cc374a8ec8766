import { randomUUID } from 'node:crypto';
import type { SqliteDatabase } from '../data/index.ts';

/**
 * A service's transactional outbox: each domain event is a row written in the same SQLite
 * transaction as the change it reports, so a change is never stored without its event, nor an
 * event sent for a change that was rolled back. The relay (outbox-relay.ts) sends unsent rows to
 * the webhooks service in `seq` order and marks them sent. Every service with events (orders,
 * products) has this one table, so one relay serves them all.
 *
 * Created on open, not in a seeded schema: an existing database gains it without a reseed.
 */
export const OUTBOX_TABLE_SQL = `
CREATE TABLE IF NOT EXISTS event_outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  rejected TEXT
);
CREATE INDEX IF NOT EXISTS event_outbox_unsent ON event_outbox (seq) WHERE sent_at IS NULL AND rejected IS NULL;`;

/** A new event id (`msg_…`, as Standard Webhooks' ids look); the `webhook-id` the relay sends. */
const newEventId = () => `msg_${randomUUID().replaceAll('-', '')}`;

export interface DomainEvent {
  /** e.g. `order.created`, `product.stock_changed`. */
  type: string;
  /** When it happened (ISO 8601): the payload's `timestamp`. */
  timestamp: string;
  data: Record<string, unknown>;
}

/**
 * Records one event as `{ type, timestamp, data }` (the shape every Manifold event has) —
 * call it inside the transaction that makes the change it reports. Returns the event's id.
 */
export function recordEvent(db: SqliteDatabase, event: DomainEvent): string {
  const id = newEventId();
  db.run(
    'INSERT INTO event_outbox (id, type, payload, created_at) VALUES (?, ?, ?, ?)',
    id,
    event.type,
    JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data }),
    event.timestamp,
  );
  return id;
}
