import type { SqliteDatabase } from '@manifold/platform/data';
import { OUTBOX_TABLE_SQL, recordEvent } from '@manifold/platform/events';
import type { StockLevel } from '../clients/supplier-stock.ts';

/**
 * The last stock level this subgraph saw at the supplier, per SKU, beside the event outbox: a
 * changed level is stored and its `product.stock_changed` recorded in one transaction, so a
 * change is reported exactly once — neither lost if we crash after storing, nor repeated if we
 * crash before. Created on open, not in the seeded schema (an existing database gains it).
 */
export const STOCK_EVENTS_SQL = `${OUTBOX_TABLE_SQL}
CREATE TABLE IF NOT EXISTS supplier_stock (
  sku TEXT PRIMARY KEY,
  available INTEGER NOT NULL,
  warehouse TEXT NOT NULL,
  supplier_updated_at TEXT NOT NULL,
  seen_at TEXT NOT NULL
);`;

interface KnownLevel {
  available: number;
  warehouse: string;
}

/** `product.stock_changed`'s data: what the supplier says now and what it said before. */
export interface StockChanged {
  productId: string;
  sku: string;
  previousAvailable: number;
  available: number;
  previousWarehouse: string;
  warehouse: string;
  /** The supplier's own time of the change. */
  supplierUpdatedAt: string;
}

/**
 * Stores the supplier's levels for `products` and records `product.stock_changed` for each
 * whose available quantity or warehouse differs from the last one seen. A SKU seen for the
 * first time is a baseline, not a change: a first start does not announce 5,000 "changes".
 * Returns the changes recorded.
 */
export function recordStockLevels(
  db: SqliteDatabase,
  products: readonly { id: number; sku: string }[],
  levels: ReadonlyMap<string, StockLevel>,
  now = new Date(),
): StockChanged[] {
  const seenAt = now.toISOString();
  return db.transaction(() => {
    const changes: StockChanged[] = [];
    for (const { id, sku } of products) {
      const level = levels.get(sku);
      if (!level) continue; // unknown to the supplier: nothing to compare
      const known = db.get<KnownLevel>(
        'SELECT available, warehouse FROM supplier_stock WHERE sku = ?',
        sku,
      );
      db.run(
        `INSERT INTO supplier_stock (sku, available, warehouse, supplier_updated_at, seen_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (sku) DO UPDATE SET available = excluded.available, warehouse = excluded.warehouse,
           supplier_updated_at = excluded.supplier_updated_at, seen_at = excluded.seen_at`,
        sku,
        level.available,
        level.warehouse,
        level.updatedAt,
        seenAt,
      );
      if (!known || (known.available === level.available && known.warehouse === level.warehouse))
        continue;
      const change: StockChanged = {
        productId: String(id),
        sku,
        previousAvailable: known.available,
        available: level.available,
        previousWarehouse: known.warehouse,
        warehouse: level.warehouse,
        supplierUpdatedAt: level.updatedAt,
      };
      recordEvent(db, { type: 'product.stock_changed', timestamp: seenAt, data: { ...change } });
      changes.push(change);
    }
    return changes;
  });
}
