import { createHash } from 'node:crypto';
import { AppError, parseInput, type FieldError } from '@manifold/platform/errors';
import { jsonList, type SqliteDatabase } from '@manifold/platform/data';
import { z } from 'zod';
import type { OrderRow } from './data/rows.ts';
import { recordOrderCreated } from './events/outbox.ts';

const PlaceOrderInput = z.object({
  customerId: z.string().regex(/^\d{1,12}$/, 'must be a customer id'),
  lines: z
    .array(
      z.object({
        productId: z.string().regex(/^\d{1,12}$/, 'must be a product id'),
        quantity: z.number().int().min(1).max(100),
      }),
    )
    .min(1)
    .max(50),
  idempotencyKey: z
    .string()
    .regex(/^[\w\-:.]{1,255}$/, 'must be 1–255 characters of A–Z a–z 0–9 _ - : .'),
});
export type PlaceOrderInput = z.infer<typeof PlaceOrderInput>;

/** The request a key stands for; a repeat with another request under the same key is refused. */
function requestHash({ customerId, lines }: PlaceOrderInput): string {
  return createHash('sha256')
    .update(
      JSON.stringify({ customerId, lines: lines.map((line) => [line.productId, line.quantity]) }),
    )
    .digest('hex');
}

/**
 * Places an order exactly once per idempotency key. Validation, the idempotency check and the
 * writes share one IMMEDIATE transaction, so two concurrent requests with one key cannot both insert.
 */
export function placeOrder(
  db: SqliteDatabase,
  rawInput: unknown,
  now: () => Date = () => new Date(),
): OrderRow {
  const input = parseInput(PlaceOrderInput, rawInput, { prefix: '/input', what: 'order' });
  const hash = requestHash(input);
  return db.transaction(() => {
    const existing = db.get<{ request_hash: string; order_id: number }>(
      'SELECT request_hash, order_id FROM idempotency_keys WHERE key = ?',
      input.idempotencyKey,
    );
    if (existing) {
      if (existing.request_hash !== hash) {
        throw new AppError(
          'IDEMPOTENCY_KEY_REUSED',
          'This idempotency key was used for a different order',
          {
            errors: [
              { pointer: '/input/idempotencyKey', detail: 'already used with a different input' },
            ],
          },
        );
      }
      return orderById(db, existing.order_id);
    }

    const prices = validateReferences(db, input);
    const placedAt = now().toISOString();
    const currency = 'USD';
    const total = input.lines.reduce(
      (sum, line) => sum + line.quantity * (prices.get(line.productId) ?? 0),
      0,
    );
    const id =
      db.get<{ next: number }>('SELECT coalesce(max(id), 0) + 1 AS next FROM orders')?.next ?? 1;
    const number = `ORD-${String(id).padStart(7, '0')}`;
    db.run(
      'INSERT INTO orders (id, number, status, placed_at, customer_id, currency, total_cents) VALUES (?, ?, ?, ?, ?, ?, ?)',
      id,
      number,
      'PENDING',
      placedAt,
      Number(input.customerId),
      currency,
      total,
    );
    input.lines.forEach((line, index) => {
      db.run(
        'INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_cents) VALUES (?, ?, ?, ?, ?)',
        id,
        index + 1,
        Number(line.productId),
        line.quantity,
        prices.get(line.productId) ?? 0,
      );
    });
    db.run(
      'INSERT INTO idempotency_keys (key, request_hash, order_id, created_at) VALUES (?, ?, ?, ?)',
      input.idempotencyKey,
      hash,
      id,
      placedAt,
    );
    // In this transaction: the order and its event commit (or roll back) together.
    recordOrderCreated(db, {
      id,
      number,
      status: 'PENDING',
      placedAt,
      customerId: Number(input.customerId),
      currency,
      totalCents: total,
      lines: input.lines.map((line) => ({
        productId: Number(line.productId),
        quantity: line.quantity,
        unitPriceCents: prices.get(line.productId) ?? 0,
      })),
    });
    return orderById(db, id);
  });
}

/** Checks the customer and every product exist and no product repeats; returns unit prices by product id. */
function validateReferences(db: SqliteDatabase, input: PlaceOrderInput): Map<string, number> {
  const errors: FieldError[] = [];
  if (!db.get('SELECT 1 AS found FROM customers WHERE id = ?', Number(input.customerId))) {
    errors.push({ pointer: '/input/customerId', detail: 'no such customer' });
  }
  const productIds = input.lines.map((line) => Number(line.productId));
  const prices = new Map(
    db
      .all<{ product_id: number; price_cents: number }>(
        'SELECT product_id, price_cents FROM product_prices WHERE product_id IN (SELECT value FROM json_each(?))',
        jsonList(productIds),
      )
      .map((row) => [String(row.product_id), row.price_cents]),
  );
  const seen = new Set<string>();
  input.lines.forEach((line, index) => {
    if (!prices.has(line.productId))
      errors.push({ pointer: `/input/lines/${index}/productId`, detail: 'no such product' });
    // One line per product keeps totals and stock reservations unambiguous: combine the quantities instead.
    if (seen.has(line.productId))
      errors.push({
        pointer: `/input/lines/${index}/productId`,
        detail: 'product appears on an earlier line; combine the quantities',
      });
    seen.add(line.productId);
  });
  if (errors.length > 0) throw new AppError('BAD_USER_INPUT', 'Invalid order', { errors });
  return prices;
}

function orderById(db: SqliteDatabase, id: number): OrderRow {
  const order = db.get<OrderRow>('SELECT * FROM orders WHERE id = ?', id);
  // Read inside the transaction that wrote or referenced it: absence is a broken invariant.
  if (!order) throw new Error(`order ${id} is missing inside its own transaction`);
  return order;
}
