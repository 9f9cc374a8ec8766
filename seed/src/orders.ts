import { createRng } from './rng.ts';

export const ORDER_STATUSES = ['PENDING', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface SeedOrderLine {
  productId: string;
  quantity: number;
  unitPriceCents: number;
}

export interface SeedOrder {
  id: string;
  number: string;
  status: OrderStatus;
  placedAt: string;
  customerId: string;
  currency: string;
  lines: SeedOrderLine[];
}

const START = Date.UTC(2024, 0, 1);
const SPAN_MS = Date.UTC(2026, 9, 31) - START;

/** `priceOf(productId)` gives the catalogue price (cents) the line is sold at. */
export function* generateOrders(
  count: number,
  userCount: number,
  productCount: number,
  priceOf: (productId: number) => number,
  seed: number,
): Generator<SeedOrder> {
  const rng = createRng(seed, 'orders');
  for (let i = 1; i <= count; i++) {
    const lineCount = rng.int(1, 5);
    const lines: SeedOrderLine[] = [];
    for (let l = 0; l < lineCount; l++) {
      const productId = rng.int(1, productCount);
      lines.push({
        productId: String(productId),
        quantity: rng.int(1, 4),
        unitPriceCents: priceOf(productId),
      });
    }
    const statusRoll = rng.next();
    const status: OrderStatus =
      statusRoll < 0.1
        ? 'PENDING'
        : statusRoll < 0.3
          ? 'PAID'
          : statusRoll < 0.5
            ? 'SHIPPED'
            : statusRoll < 0.95
              ? 'DELIVERED'
              : 'CANCELLED';
    yield {
      id: String(i),
      number: `ORD-${String(i).padStart(7, '0')}`,
      status,
      placedAt: new Date(START + Math.floor(rng.next() * SPAN_MS)).toISOString(),
      customerId: String(rng.int(1, userCount)),
      currency: 'USD',
      lines,
    };
  }
}
