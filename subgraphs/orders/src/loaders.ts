import DataLoader from 'dataloader';
import { jsonList, type SqliteDatabase } from '@manifold/platform/data';
import type { OrderLineRow, OrderRow } from './data/rows.ts';

/** One page of one customer's orders: `limit` rows after the keyset `after` ([placedAt, id]). */
export interface CustomerOrdersKey {
  customerId: string;
  limit: number;
  after: readonly [placedAt: string, id: number] | undefined;
}

export interface OrdersLoaders {
  orderById: DataLoader<string, OrderRow | null>;
  linesByOrderId: DataLoader<number, OrderLineRow[]>;
  /** `limit + 1` rows per customer, so the resolver knows whether a next page exists. */
  ordersByCustomer: DataLoader<CustomerOrdersKey, OrderRow[], string>;
  orderCountByCustomer: DataLoader<string, number>;
}

const ORDERS_PAGE_SQL = `
SELECT * FROM (
  SELECT o.*, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY placed_at DESC, id DESC) AS rn
  FROM orders o
  WHERE customer_id IN (SELECT value FROM json_each(?))
    AND (? IS NULL OR placed_at < ? OR (placed_at = ? AND id < ?))
) WHERE rn <= ?`;

/** One set per request: batching and caching never cross callers. Sync SQLite, promises for DataLoader. */
export function createLoaders(db: SqliteDatabase): OrdersLoaders {
  return {
    orderById: new DataLoader((ids) => {
      const rows = db.all<OrderRow>(
        'SELECT * FROM orders WHERE id IN (SELECT value FROM json_each(?))',
        jsonList(ids.map(Number)),
      );
      const byId = new Map(rows.map((row) => [String(row.id), row]));
      return Promise.resolve(ids.map((id) => byId.get(id) ?? null));
    }),

    linesByOrderId: new DataLoader((orderIds) => {
      const rows = db.all<OrderLineRow>(
        'SELECT * FROM order_lines WHERE order_id IN (SELECT value FROM json_each(?)) ORDER BY order_id, line_no',
        jsonList(orderIds),
      );
      const byOrder = groupBy(rows, (row) => row.order_id);
      return Promise.resolve(orderIds.map((id) => byOrder.get(id) ?? []));
    }),

    ordersByCustomer: new DataLoader(
      (keys) => {
        // Customers asking for the same page shape share one windowed statement; in practice that is all of them.
        const groups = groupBy(keys, (key) => JSON.stringify([key.limit, key.after ?? null]));
        const pages = new Map<string, OrderRow[]>();
        for (const group of groups.values()) {
          const [{ limit, after } = { limit: 0, after: undefined }] = group;
          const [placedAt = null, id = null] = after ?? [];
          const rows = db.all<OrderRow>(
            `${ORDERS_PAGE_SQL} ORDER BY customer_id, placed_at DESC, id DESC`,
            jsonList(group.map((key) => Number(key.customerId))),
            placedAt,
            placedAt,
            placedAt,
            id,
            limit + 1,
          );
          const byCustomer = groupBy(rows, (row) => String(row.customer_id));
          for (const key of group) pages.set(cacheKeyOf(key), byCustomer.get(key.customerId) ?? []);
        }
        return Promise.resolve(keys.map((key) => pages.get(cacheKeyOf(key)) ?? []));
      },
      { cacheKeyFn: cacheKeyOf },
    ),

    orderCountByCustomer: new DataLoader((customerIds) => {
      const rows = db.all<{ customer_id: number; n: number }>(
        'SELECT customer_id, count(*) AS n FROM orders WHERE customer_id IN (SELECT value FROM json_each(?)) GROUP BY customer_id',
        jsonList(customerIds.map(Number)),
      );
      const counts = new Map(rows.map((row) => [String(row.customer_id), row.n]));
      return Promise.resolve(customerIds.map((id) => counts.get(id) ?? 0));
    }),
  };
}

function cacheKeyOf(key: CustomerOrdersKey): string {
  return JSON.stringify([key.customerId, key.limit, key.after ?? null]);
}

/** Keeps row order within each group, so SQL's ORDER BY survives the split. */
function groupBy<T, K>(rows: readonly T[], keyOf: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}
