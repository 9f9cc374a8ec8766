import { openSeededDatabase } from '@manifold/platform/data';
import type { SqliteDatabase } from '@manifold/platform/data';
import { DEFAULT_SEED, generateOrders, generateProducts, SEED_SIZES } from '@manifold/seed';
import { OUTBOX_SQL } from '../events/outbox.ts';

export interface OrdersDatabaseOptions {
  /** File path or ':memory:'. */
  path: string;
  /** @default SEED_SIZES.orders (100,000) */
  orderCount?: number;
  /** @default SEED_SIZES.users — customers orders may reference. */
  userCount?: number;
  /** @default SEED_SIZES.products — products orders may reference. */
  productCount?: number;
  /** @default DEFAULT_SEED */
  seed?: number;
  /** Rebuild even when a current file exists. @default false */
  rebuild?: boolean;
}

// `customers` and `product_prices` are this subgraph's read model of the users and products
// subgraphs (in production, fed by their change events): placeOrder validates and prices with them
// without a synchronous call to another subgraph.
const SCHEMA_SQL = `
CREATE TABLE customers (id INTEGER PRIMARY KEY);
CREATE TABLE product_prices (product_id INTEGER PRIMARY KEY, price_cents INTEGER NOT NULL, currency TEXT NOT NULL);
CREATE TABLE orders (
  id INTEGER PRIMARY KEY,
  number TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  placed_at TEXT NOT NULL,
  customer_id INTEGER NOT NULL,
  currency TEXT NOT NULL,
  total_cents INTEGER NOT NULL
);
CREATE INDEX orders_by_customer ON orders (customer_id, placed_at DESC, id DESC);
CREATE TABLE order_lines (
  order_id INTEGER NOT NULL REFERENCES orders(id),
  line_no INTEGER NOT NULL,
  product_id INTEGER NOT NULL,
  quantity INTEGER NOT NULL CHECK (quantity > 0),
  unit_price_cents INTEGER NOT NULL,
  PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;
CREATE TABLE idempotency_keys (
  key TEXT PRIMARY KEY,
  request_hash TEXT NOT NULL,
  order_id INTEGER NOT NULL REFERENCES orders(id),
  created_at TEXT NOT NULL
);`;

/** Opens the orders database, seeding it deterministically on first start; adds the event outbox if missing. */
export function openOrdersDatabase({
  path,
  orderCount = SEED_SIZES.orders,
  userCount = SEED_SIZES.users,
  productCount = SEED_SIZES.products,
  seed = DEFAULT_SEED,
  rebuild = false,
}: OrdersDatabaseOptions): SqliteDatabase {
  const database = openSeededDatabase({
    path,
    rebuild,
    version: `orders-v1-${seed}-${orderCount}-${userCount}-${productCount}`,
    schemaSql: SCHEMA_SQL,
    seed: (db) => {
      for (let id = 1; id <= userCount; id++) db.run('INSERT INTO customers (id) VALUES (?)', id);
      const prices = new Map<number, number>();
      for (const product of generateProducts(productCount, SEED_SIZES.categories, seed)) {
        prices.set(Number(product.id), product.priceCents);
        db.run(
          'INSERT INTO product_prices (product_id, price_cents, currency) VALUES (?, ?, ?)',
          Number(product.id),
          product.priceCents,
          product.currency,
        );
      }
      const priceOf = (productId: number) => prices.get(productId) ?? 0;
      for (const order of generateOrders(orderCount, userCount, productCount, priceOf, seed)) {
        const total = order.lines.reduce(
          (sum, line) => sum + line.quantity * line.unitPriceCents,
          0,
        );
        db.run(
          'INSERT INTO orders (id, number, status, placed_at, customer_id, currency, total_cents) VALUES (?, ?, ?, ?, ?, ?, ?)',
          Number(order.id),
          order.number,
          order.status,
          order.placedAt,
          Number(order.customerId),
          order.currency,
          total,
        );
        order.lines.forEach((line, index) => {
          db.run(
            'INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_cents) VALUES (?, ?, ?, ?, ?)',
            Number(order.id),
            index + 1,
            Number(line.productId),
            line.quantity,
            line.unitPriceCents,
          );
        });
      }
    },
  });
  database.exec(OUTBOX_SQL);
  return database;
}
