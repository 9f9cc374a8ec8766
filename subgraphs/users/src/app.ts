import { createSubgraphApp } from '@manifold/platform/graphql';
import type { Logger } from '@manifold/platform/logging';
import type { SqliteDatabase } from '@manifold/platform/data';
import { createContext, subgraph, type UsersContext } from './index.ts';

export interface UsersAppDeps {
  db: SqliteDatabase;
  logger: Logger;
  production: boolean;
}

export function createApp({ db, logger, production }: UsersAppDeps) {
  return createSubgraphApp<UsersContext>({
    subgraph,
    logger,
    production,
    context: (info) => createContext(db, info),
    health: () => db.raw.isOpen,
  });
}
