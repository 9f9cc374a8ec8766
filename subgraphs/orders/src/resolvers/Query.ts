import type { OrdersContext } from '../context.ts';

export const Query = {
  order: (_: unknown, { id }: { id: string }, { loaders }: OrdersContext) =>
    loaders.orderById.load(id),
};
