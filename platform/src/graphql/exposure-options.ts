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
    csrfPrevention: true,
    introspection: !production,
    hideSchemaDetailsFromClientErrors: production,
    includeStacktraceInErrorResponses: !production,
    formatError: createFormatError({ maskUnexpected: production }),
    plugins: production ? [ApolloServerPluginLandingPageDisabled()] : [],
  };
}
