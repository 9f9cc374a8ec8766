import { afterAll, describe, expect, it } from 'vitest';
import { openOrdersDatabase } from './data/database.ts';
import { placeOrder } from './place-order.ts';

const db = openOrdersDatabase({ path: ':memory:', orderCount: 10, userCount: 5, productCount: 10 });
afterAll(() => {
  db.close();
});
const count = (table: string) => db.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`)?.n;
const order = (idempotencyKey: string) => ({
  customerId: '1',
  lines: [
    { productId: '1', quantity: 2 },
    { productId: '2', quantity: 1 },
  ],
  idempotencyKey,
});

describe('placeOrder', () => {
  it('writes nothing at all when any write of the order fails (one transaction)', () => {
    const before = {
      orders: count('orders'),
      lines: count('order_lines'),
      keys: count('idempotency_keys'),
    };
    // The second line's insert fails after the order row and the first line were written.
    db.raw.exec(`CREATE TRIGGER fail_second_line BEFORE INSERT ON order_lines WHEN NEW.line_no = 2
      BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    try {
      expect(() => placeOrder(db, order('rollback-1'))).toThrow(/disk full/);
    } finally {
      db.raw.exec('DROP TRIGGER fail_second_line');
    }
    expect({
      orders: count('orders'),
      lines: count('order_lines'),
      keys: count('idempotency_keys'),
    }).toEqual(before);
    // The key was not burnt: the retry places the order.
    const placed = placeOrder(db, order('rollback-1'));
    expect(count('orders')).toBe(before.orders! + 1);
    expect(placeOrder(db, order('rollback-1')).id).toBe(placed.id);
  });

  it('prices from the catalogue, never from the caller', () => {
    const placed = placeOrder(db, { ...order('price-1'), unitPrice: '0.01' });
    const expected = db
      .all<{ price_cents: number }>(
        'SELECT price_cents FROM product_prices WHERE product_id IN (1, 2) ORDER BY product_id',
      )
      .map((row) => row.price_cents);
    expect(placed.total_cents).toBe(2 * expected[0]! + expected[1]!);
  });
});
