import { callerOf, type Caller } from '@manifold/platform/contracts';
import type { RequestInfo } from '@manifold/platform/graphql';
import type { Logger } from '@manifold/platform/logging';
import type { SqliteDatabase } from '@manifold/platform/data';
import { createLoaders, type UsersLoaders } from './loaders.ts';

export interface UsersContext {
  db: SqliteDatabase;
  loaders: UsersLoaders;
  logger: Logger;
  /** Who is calling, as the gateway signed it (ANONYMOUS without a user). */
  caller: Caller;
}

export function createContext(
  db: SqliteDatabase,
  { req, logger }: Pick<RequestInfo, 'req' | 'logger'>,
): UsersContext {
  return { db, loaders: createLoaders(db), logger, caller: callerOf(req) };
}
