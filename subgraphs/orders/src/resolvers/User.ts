import { AppError } from '@manifold/platform/errors';
import { parsePageArgs, toConnection, type PageArgs } from '@manifold/platform/pagination';
import type { OrdersContext } from '../context.ts';

const USER_ORDERS_CONNECTION = 'User.orders';

/** The keyset is [placedAt, id]; a well-encoded cursor of another shape would silently mis-page. */
function orderKeyset(
  after: readonly (string | number)[] | undefined,
): [string, number] | undefined {
  if (after === undefined) return undefined;
  const [placedAt, id] = after;
  if (after.length === 2 && typeof placedAt === 'string' && typeof id === 'number')
    return [placedAt, id];
  throw new AppError('BAD_USER_INPUT', `Invalid cursor for ${USER_ORDERS_CONNECTION}`, {
    errors: [{ pointer: '/after', detail: 'not a cursor issued by this list' }],
  });
}

export const User = {
  __resolveReference: (reference: { id: string }) => reference,

  orders: async ({ id }: { id: string }, args: PageArgs, { loaders }: OrdersContext) => {
    const page = parsePageArgs(USER_ORDERS_CONNECTION, args);
    const { limit } = page;
    const after = orderKeyset(page.after);
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
