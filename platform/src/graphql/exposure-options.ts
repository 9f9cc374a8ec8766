import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { createFormatError } from '../errors/index.ts';

/**
 * What a Manifold GraphQL server shows of itself — the same for the gateway and every subgraph,
 * so production hardening is decided in one place. In production: no introspection, no landing
 * page, no "Did you mean …?" hints (they map the schema for anyone who asks), no stack traces,
 * unexpected errors masked. CSRF prevention always. (`_service { sdl }` is not introspection:
 * composition keeps working.)
 */
export function exposureOptions(production: boolean) {
  return {
    // Our own service runner drains and exits on SIGTERM/SIGINT. Apollo's handler (on whenever
    // NODE_ENV is not 'test') would stop the server and re-raise the signal mid-drain: the process
    // died within ~30 ms, in-flight requests cut. Please leave this off.
    stopOnTerminationSignals: false,
    csrfPrevention: true,
    introspection: !production,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: !production,
    formatError: createFormatError({ maskUnexpected: production }),
    plugins: production ? [ApolloServerPluginLandingPageDisabled()] : [],
  };
}
