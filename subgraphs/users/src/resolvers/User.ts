import type { UserRow } from '../data/rows.ts';
import type { UsersContext } from '../context.ts';

export const User = {
  __resolveReference: (reference: { id: string }, { loaders }: UsersContext) =>
    loaders.userById.load(reference.id),
  id: (user: UserRow) => String(user.id),
  createdAt: (user: UserRow) => user.created_at,
  address: (user: UserRow) => ({
    line1: user.line1,
    city: user.city,
    postalCode: user.postal_code,
    country: user.country,
  }),
};
