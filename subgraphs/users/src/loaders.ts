import DataLoader from 'dataloader';
import { jsonList, type SqliteDatabase } from '@manifold/platform/data';
import type { UserRow } from './data/rows.ts';

export interface UsersLoaders {
  userById: DataLoader<string, UserRow | null>;
}

/** One set per request: batching and caching never cross callers. */
export function createLoaders(db: SqliteDatabase): UsersLoaders {
  return {
    // node:sqlite is synchronous; DataLoader still wants a promise.
    userById: new DataLoader((ids) => {
      const numeric = ids.map(Number).filter(Number.isSafeInteger);
      const rows = db.all<UserRow>(
        'SELECT * FROM users WHERE id IN (SELECT value FROM json_each(?))',
        jsonList(numeric),
      );
      const byId = new Map(rows.map((row) => [String(row.id), row]));
      return Promise.resolve(ids.map((id) => byId.get(id) ?? null));
    }),
  };
}
