import { describe, expect, it } from 'vitest';
import { openProductsDatabase } from '../data/database.ts';
import { recordStockLevels } from './stock-levels.ts';

const level = (sku: string, available: number, warehouse = 'BER-1') => ({
  sku,
  available,
  warehouse,
  updatedAt: '2026-12-04T10:00:00Z',
});
const outbox = (db: ReturnType<typeof openProductsDatabase>) =>
  db
    .all<{ type: string; payload: string }>('SELECT type, payload FROM event_outbox ORDER BY seq')
    .map((row) => ({ type: row.type, data: (JSON.parse(row.payload) as { data: unknown }).data }));

describe('recordStockLevels', () => {
  it('takes a first sighting as the baseline, records each change once, and nothing for an unchanged level', () => {
    const db = openProductsDatabase({ path: ':memory:', productCount: 2, categoryCount: 1 });
    const products = db.all<{ id: number; sku: string }>(
      'SELECT id, sku FROM products ORDER BY id',
    );
    const [first, second] = products.map((product) => product.sku) as [string, string];

    recordStockLevels(
      db,
      products,
      new Map([
        [first, level(first, 10)],
        [second, level(second, 5)],
      ]),
    );
    expect(outbox(db)).toEqual([]);

    const changes = recordStockLevels(
      db,
      products,
      new Map([
        [first, level(first, 7)],
        [second, level(second, 5)],
      ]),
    );
    expect(changes).toHaveLength(1);
    recordStockLevels(
      db,
      products,
      new Map([
        [first, level(first, 7)],
        [second, level(second, 5)],
      ]),
    );
    expect(outbox(db)).toEqual([
      {
        type: 'product.stock_changed',
        data: {
          productId: '1',
          sku: first,
          previousAvailable: 10,
          available: 7,
          previousWarehouse: 'BER-1',
          warehouse: 'BER-1',
          supplierUpdatedAt: '2026-12-04T10:00:00Z',
        },
      },
    ]);
  });
});
