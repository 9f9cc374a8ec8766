import type { RequestInfo } from '@manifold/platform/graphql';
import type { Logger } from '@manifold/platform/logging';
import type { SqliteDatabase } from '@manifold/platform/data';
import { createLoaders, type ContentLoaders } from './loaders.ts';

export interface ContentContext {
  db: SqliteDatabase;
  loaders: ContentLoaders;
  logger: Logger;
}

export function createContext(
  db: SqliteDatabase,
  { logger }: Pick<RequestInfo, 'req' | 'logger'>,
): ContentContext {
  return { db, loaders: createLoaders(db), logger };
}
