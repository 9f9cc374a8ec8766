import { moneyFromCents } from '@manifold/platform/data';
import type { OrderLineRow, OrderRow } from '../data/rows.ts';
import type { OrdersContext } from '../context.ts';

/** Lines carry their order's currency down to `unitPrice`. */
type LineWithCurrency = OrderLineRow & { currency: string };

export const Order = {
  __resolveReference: (reference: { id: string }, { loaders }: OrdersContext) =>
    loaders.orderById.load(reference.id),
  id: (order: OrderRow) => String(order.id),
  placedAt: (order: OrderRow) => order.placed_at,
  customer: (order: OrderRow) => ({ __typename: 'User', id: String(order.customer_id) }),
  total: (order: OrderRow) => moneyFromCents(order.total_cents, order.currency),
  lines: async (
    order: OrderRow,
    _: unknown,
    { loaders }: OrdersContext,
  ): Promise<LineWithCurrency[]> =>
    (await loaders.linesByOrderId.load(order.id)).map((line) => ({
      ...line,
      currency: order.currency,
    })),
};

export const OrderLine = {
  product: (line: LineWithCurrency) => ({ __typename: 'Product', id: String(line.product_id) }),
  unitPrice: (line: LineWithCurrency) => moneyFromCents(line.unit_price_cents, line.currency),
};
