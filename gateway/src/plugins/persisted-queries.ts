import { KeyvAdapter } from '@apollo/utils.keyvadapter';
import type { ServerPlugin } from '@manifold/platform/graphql';
import type { Keyv } from 'keyv';
import type { GatewayContext } from '../context.ts';

export interface PersistedQueriesOptions {
  /** The shared cache, so a query registered on one replica is known to every other. */
  cache: Keyv;
}

/** Automatic persisted queries (APQ): clients send a hash instead of the document once it is known. */
export function usePersistedQueries({
  cache,
}: PersistedQueriesOptions): ServerPlugin<GatewayContext> {
  return {
    name: 'persisted-queries',
    // The keyv types exist twice (CJS and ESM builds); the instance is the same at runtime.
    serverOptions: { persistedQueries: { cache: new KeyvAdapter(cache as never) } },
  };
}
