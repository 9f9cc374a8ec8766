import type { RequestInfo } from '@manifold/platform/graphql';
import type { Logger } from '@manifold/platform/logging';
import type { SqliteDatabase } from '@manifold/platform/data';
import type { SupplierStockClient } from './clients/supplier-stock.ts';
import { createLoaders, type ProductsLoaders } from './loaders.ts';

export interface ProductsContext {
  db: SqliteDatabase;
  loaders: ProductsLoaders;
  logger: Logger;
}

/** Builds the per-request supplier client (forwarding the request id); absent when soap-proxy is not configured. */
export type SupplierStockFactory = (requestId?: string) => SupplierStockClient;

export function createContext(
  db: SqliteDatabase,
  { logger, requestId }: Pick<RequestInfo, 'req' | 'logger'> & { requestId?: string },
  supplier?: SupplierStockFactory,
): ProductsContext {
  return { db, loaders: createLoaders(db, supplier?.(requestId)), logger };
}
