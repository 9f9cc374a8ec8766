import type { GatewayIdentityVerifier } from '@manifold/platform/auth';
import { createSubgraphApp } from '@manifold/platform/graphql';
import type { Logger } from '@manifold/platform/logging';
import type { SqliteDatabase } from '@manifold/platform/data';
import { createContext, subgraph, type UsersContext } from './index.ts';

export interface UsersAppDeps {
  db: SqliteDatabase;
  logger: Logger;
  production: boolean;
  /** Checks the identity the gateway signed on every request. */
  identity: GatewayIdentityVerifier;
}

export function createApp({ db, logger, production, identity }: UsersAppDeps) {
  return createSubgraphApp<UsersContext>({
    subgraph,
    logger,
    production,
    context: (info) => createContext(db, info),
    health: () => db.raw.isOpen,
    identity,
  });
}
