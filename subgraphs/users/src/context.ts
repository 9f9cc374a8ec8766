import { Header } from '@manifold/platform/contracts';
import type { RequestInfo } from '@manifold/platform/graphql';
import type { Logger } from '@manifold/platform/logging';
import type { SqliteDatabase } from '@manifold/platform/data';
import { createLoaders, type UsersLoaders } from './loaders.ts';

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
  const userId = req.headers[Header.userId];
  return {
    db,
    loaders: createLoaders(db),
    logger,
    userId: typeof userId === 'string' && userId !== '' ? userId : undefined,
  };
}
