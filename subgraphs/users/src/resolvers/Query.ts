import { AppError } from '@manifold/platform/errors';
import { parsePageArgs, toConnection, type PageArgs } from '@manifold/platform/data';
import type { UserRow } from '../data/rows.ts';
import type { UsersContext } from '../context.ts';

const USERS_CONNECTION = 'Query.users';

export const Query = {
  user: (_: unknown, { id }: { id: string }, { loaders }: UsersContext) =>
    loaders.userById.load(id),

  users: (_: unknown, args: PageArgs, { db }: UsersContext) => {
    const { limit, after } = parsePageArgs(USERS_CONNECTION, args, ['integer']);
    const afterId = after?.[0] ?? 0;
    const rows = db.all<UserRow>(
      'SELECT * FROM users WHERE id > ? ORDER BY id LIMIT ?',
      afterId,
      limit + 1,
    );
    const total = () => db.get<{ n: number }>('SELECT count(*) AS n FROM users')?.n ?? 0;
    return toConnection(USERS_CONNECTION, rows, limit, (row) => [row.id], total);
  },

  // The gateway enforces @authenticated; a caller without a user (a client's own token) has no "me".
  me: (_: unknown, _args: unknown, { caller, loaders }: UsersContext) => {
    if (caller.subject === undefined)
      throw new AppError('UNAUTHENTICATED', 'Query.me needs a caller who is a user');
    return loaders.userById.load(caller.subject);
  },
};
