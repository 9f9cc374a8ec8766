import type { ServerPlugin } from '@manifold/platform/graphql';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.ts';

export interface VariablesLimitOptions {
  /** Largest `variables` of one operation, serialised as JSON, in bytes. */
  maxBytes: number;
}

/**
 * Refuses an operation whose variables are larger than `maxBytes` before anything is parsed,
 * planned or fetched: 413 VARIABLES_TOO_LARGE with the measured size and the limit. The body limit
 * bounds a request as a whole; this bounds what one operation can make the gateway carry to its
 * subgraphs (variables are forwarded) — and it applies to GET too, where they ride in the URL.
 */
export function useVariablesLimit({ maxBytes }: VariablesLimitOptions): ServerPlugin<GatewayContext> {
  return {
    name: 'variables-limit',
    apollo: [
      {
        requestDidStart({ request }) {
          const { variables } = request;
          if (variables === undefined) return Promise.resolve();
          const bytes = Buffer.byteLength(JSON.stringify(variables));
          if (bytes > maxBytes)
            throw new GraphQLError(
              `The operation's variables are ${bytes} bytes; at most ${maxBytes} are accepted`,
              {
                extensions: {
                  code: 'VARIABLES_TOO_LARGE',
                  variablesBytes: bytes,
                  maxVariablesBytes: maxBytes,
                  http: { status: 413 },
                },
              },
            );
          return Promise.resolve();
        },
      },
    ],
  };
}
