import type { RequestInfo } from '@manifold/platform/graphql';
import type { Logger } from '@manifold/platform/logging';
import type { SqliteDatabase } from '@manifold/platform/data';
import { createLoaders, type OrdersLoaders } from './loaders.ts';

export interface OrdersContext {
  db: SqliteDatabase;
  loaders: OrdersLoaders;
  logger: Logger;
}

export function createContext(
  db: SqliteDatabase,
  { logger }: Pick<RequestInfo, 'req' | 'logger'>,
): OrdersContext {
  return { db, loaders: createLoaders(db), logger };
}
