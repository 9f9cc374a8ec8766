import DataLoader from 'dataloader';
import { AppError } from '@manifold/platform/errors';
import { jsonList, type SqliteDatabase } from '@manifold/platform/data';
import type { SupplierStockClient, StockLevel } from './clients/supplier-stock.ts';
import type { CategoryRow, ProductRow } from './data/rows.ts';

export interface ProductsLoaders {
  /** Supplier stock by SKU: one soap-proxy call per request for every product asked. */
  stockBySku: DataLoader<string, StockLevel | null>;
  productById: DataLoader<string, ProductRow | null>;
  productBySku: DataLoader<string, ProductRow | null>;
  categoryById: DataLoader<number, CategoryRow | null>;
}

/** Loads rows whose `column` is in `keys`, in key order, null where missing. */
function byColumn<K extends string | number, Row extends Record<string, unknown>>(
  db: SqliteDatabase,
  table: string,
  column: string,
  toKey: (row: Row) => K,
) {
  // node:sqlite is synchronous; DataLoader still wants a promise.
  return (keys: readonly K[]) => {
    const rows = db.all<Row>(
      `SELECT * FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?))`,
      jsonList(keys),
    );
    const found = new Map(rows.map((row) => [toKey(row), row]));
    return Promise.resolve(keys.map((key) => found.get(key) ?? null));
  };
}

/** One set per request: batching and caching never cross callers. */
export function createLoaders(
  db: SqliteDatabase,
  supplier: SupplierStockClient | undefined,
): ProductsLoaders {
  return {
    stockBySku: new DataLoader<string, StockLevel | null>(
      async (skus) => {
        if (!supplier)
          throw new AppError(
            'UPSTREAM_UNAVAILABLE',
            'Supplier stock is not configured (SOAP_PROXY_URL)',
          );
        const levels = await supplier.levels(skus);
        return skus.map((sku) => levels.get(sku) ?? null);
      },
      { maxBatchSize: 500 },
    ),
    productById: new DataLoader<string, ProductRow | null>(
      byColumn<string, ProductRow & Record<string, unknown>>(db, 'products', 'id', (row) =>
        String(row.id),
      ),
    ),
    productBySku: new DataLoader<string, ProductRow | null>(
      byColumn<string, ProductRow & Record<string, unknown>>(
        db,
        'products',
        'sku',
        (row) => row.sku,
      ),
    ),
    categoryById: new DataLoader<number, CategoryRow | null>(
      byColumn<number, CategoryRow & Record<string, unknown>>(
        db,
        'categories',
        'id',
        (row) => row.id,
      ),
    ),
  };
}
