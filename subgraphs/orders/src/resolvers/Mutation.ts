import type { OrdersContext } from '../context.ts';
import { placeOrder } from '../place-order.ts';

export const Mutation = {
  placeOrder: (_: unknown, { input }: { input: unknown }, { db }: OrdersContext) =>
    placeOrder(db, input),
};
