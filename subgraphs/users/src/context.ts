import type { RequestInfo } from '@manifold/platform/graphql';
import type { Logger } from '@manifold/platform/logger';
import type { SqliteDatabase } from '@manifold/platform/sqlite';
import { createLoaders, type UsersLoaders } from './loaders.ts';

/** Header the gateway sets from the authenticated caller; inbound copies are stripped there. */
export const USER_ID_HEADER = 'x-manifold-user-id';

export interface UsersContext {
  db: SqliteDatabase;
  loaders: UsersLoaders;
  logger: Logger;
  /** The authenticated caller, when the gateway forwarded one. */
  userId: string | undefined;
}

export function createContext(
  db: SqliteDatabase,
  { req, logger }: Pick<RequestInfo, 'req' | 'logger'>,
): UsersContext {
  const userId = req.headers[USER_ID_HEADER];
  return {
    db,
    loaders: createLoaders(db),
    logger,
    userId: typeof userId === 'string' && userId !== '' ? userId : undefined,
  };
}
