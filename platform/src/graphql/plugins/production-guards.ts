import type { BaseContext } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { createFormatError } from '../../errors/index.ts';
import type { ServerPlugin } from '../server-plugin.ts';

export interface ProductionGuardsOptions {
  /** Production mode: the service shows nothing of itself that a client does not need. */
  production: boolean;
}

/**
 * What a Manifold GraphQL server shows of itself — the same for the gateway and every subgraph,
 * so production hardening is decided in one place. In production: no introspection, no landing
 * page, no "Did you mean …?" hints (they map the schema for anyone who asks), no stack traces,
 * unexpected errors masked. (`_service { sdl }` is not introspection: composition keeps working.)
 * As a plugin it owns these server options: another plugin setting one of them fails at start-up
 * instead of silently dropping a guard.
 */
export function useProductionGuards<TContext extends BaseContext>({
  production,
}: ProductionGuardsOptions): ServerPlugin<TContext> {
  return {
    name: 'production-guards',
    serverOptions: {
      // Our own service runner drains and exits on SIGTERM/SIGINT. Apollo's handler (on whenever
      // NODE_ENV is not 'test') would stop the server and re-raise the signal mid-drain: the process
      // died within ~30 ms, in-flight requests cut. Please leave this off.
      stopOnTerminationSignals: false,
      introspection: !production,
      hideSchemaDetailsFromClientErrors: production,
      includeStacktraceInErrorResponses: !production,
      formatError: createFormatError({ maskUnexpected: production }),
    },
    apollo: production ? [ApolloServerPluginLandingPageDisabled()] : [],
  };
}
