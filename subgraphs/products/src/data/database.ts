import { openSeededDatabase } from '@manifold/platform/data';
import type { SqliteDatabase } from '@manifold/platform/data';
import { DEFAULT_SEED, generateCategories, generateProducts, SEED_SIZES } from '@manifold/seed';
import { STOCK_EVENTS_SQL } from '../events/stock-levels.ts';

export interface ProductsDatabaseOptions {
  /** File path or ':memory:'. */
  path: string;
  /** @default SEED_SIZES.products (5,000) */
  productCount?: number;
  /** @default SEED_SIZES.categories (40) */
  categoryCount?: number;
  /** @default DEFAULT_SEED */
  seed?: number;
  /** Rebuild even when a current file exists. @default false */
  rebuild?: boolean;
}

const SCHEMA_SQL = `
CREATE TABLE categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE products (
  id INTEGER PRIMARY KEY,
  sku TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  currency TEXT NOT NULL,
  weight_grams INTEGER NOT NULL,
  category_id INTEGER NOT NULL REFERENCES categories(id)
);
CREATE INDEX products_category ON products (category_id, id);
CREATE INDEX products_price ON products (price_cents, id);`;

/** Opens the products database, seeding it deterministically on first start; adds the stock-event tables if missing. */
export function openProductsDatabase({
  path,
  productCount = SEED_SIZES.products,
  categoryCount = SEED_SIZES.categories,
  seed = DEFAULT_SEED,
  rebuild = false,
}: ProductsDatabaseOptions): SqliteDatabase {
  const database = openSeededDatabase({
    path,
    rebuild,
    version: `products-v1-${seed}-${productCount}-${categoryCount}`,
    schemaSql: SCHEMA_SQL,
    seed: (db) => {
      for (const category of generateCategories(categoryCount)) {
        db.run(
          'INSERT INTO categories (id, name) VALUES (?, ?)',
          Number(category.id),
          category.name,
        );
      }
      const insert =
        'INSERT INTO products (id, sku, name, description, price_cents, currency, weight_grams, category_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
      for (const p of generateProducts(productCount, categoryCount, seed)) {
        db.run(
          insert,
          Number(p.id),
          p.sku,
          p.name,
          p.description,
          p.priceCents,
          p.currency,
          p.weightGrams,
          Number(p.categoryId),
        );
      }
    },
  });
  database.exec(STOCK_EVENTS_SQL);
  return database;
}
