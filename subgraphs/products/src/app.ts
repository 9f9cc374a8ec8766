import type { GatewayIdentityVerifier } from '@manifold/platform/auth';
import { createSubgraphApp } from '@manifold/platform/graphql';
import type { Logger } from '@manifold/platform/logging';
import type { SqliteDatabase } from '@manifold/platform/data';
import type { SupplierStockFactory } from './context.ts';
import { createContext, subgraph, type ProductsContext } from './index.ts';

export interface ProductsAppDeps {
  db: SqliteDatabase;
  logger: Logger;
  production: boolean;
  /** Checks the identity the gateway signed on every request. */
  identity: GatewayIdentityVerifier;
  /** Supplier stock through soap-proxy; without it `supplierStock` answers UPSTREAM_UNAVAILABLE. */
  supplier?: SupplierStockFactory | undefined;
}

export function createApp({ db, logger, production, supplier, identity }: ProductsAppDeps) {
  return createSubgraphApp<ProductsContext>({
    subgraph,
    logger,
    production,
    context: (info) => createContext(db, info, supplier),
    health: () => db.raw.isOpen,
    identity,
  });
}
