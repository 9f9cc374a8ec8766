import { parsePageArgs, toConnection, type PageArgs } from '@manifold/platform/data';
import type { OrdersContext } from '../context.ts';

const USER_ORDERS_CONNECTION = 'User.orders';

export const User = {
  __resolveReference: (reference: { id: string }) => reference,

  orders: async ({ id }: { id: string }, args: PageArgs, { loaders }: OrdersContext) => {
    // Newest first: the keyset is [placedAt, id].
    const { limit, after } = parsePageArgs(USER_ORDERS_CONNECTION, args, ['string', 'integer']);
    const rows = await loaders.ordersByCustomer.load({ customerId: id, limit, after });
    return toConnection(
      USER_ORDERS_CONNECTION,
      rows,
      limit,
      (row) => [row.placed_at, row.id],
      () => loaders.orderCountByCustomer.load(id),
    );
  },
};
