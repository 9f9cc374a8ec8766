import type { ServerPlugin } from '@manifold/platform/graphql';
import type { Request } from 'express';
import { GraphQLError } from 'graphql';
import type { GatewayContext } from '../context.ts';

export interface VariablesLimitOptions {
  /** Largest `variables` of one operation, serialised as JSON, in bytes. */
  maxBytes: number;
}

/** The size of each operation's variables as sent: JSON text in a GET's URL, parsed JSON in a POST body. */
function variablesBytes(req: Request): number[] {
  if (req.method === 'GET') {
    const { variables } = req.query;
    return typeof variables === 'string' ? [Buffer.byteLength(variables)] : [];
  }
  const body: unknown = req.body;
  const operations: unknown[] = Array.isArray(body) ? body : [body];
  return operations.map((operation) => {
    const variables = (operation as { variables?: unknown } | null)?.variables;
    return variables === undefined ? 0 : Buffer.byteLength(JSON.stringify(variables));
  });
}

/**
 * Refuses a request whose operation variables are larger than `maxBytes` before anything is
 * parsed, planned or fetched: 413 VARIABLES_TOO_LARGE with the measured size and the limit. The
 * body limit bounds a request as a whole; this bounds what one operation makes the gateway carry
 * to its subgraphs (variables are forwarded) — and it applies to GET too, where they ride in the
 * URL. It runs as the context is built: Apollo answers an error thrown there with its own HTTP
 * status, whereas one thrown from a request hook would be a 500.
 */
export function useVariablesLimit({
  maxBytes,
}: VariablesLimitOptions): ServerPlugin<GatewayContext> {
  return {
    name: 'variables-limit',
    context: (_context, { req }) => {
      const largest = Math.max(0, ...variablesBytes(req));
      if (largest > maxBytes)
        throw new GraphQLError(
          `The operation's variables are ${largest} bytes; at most ${maxBytes} are accepted`,
          {
            extensions: {
              code: 'VARIABLES_TOO_LARGE',
              variablesBytes: largest,
              maxVariablesBytes: maxBytes,
              http: { status: 413 },
            },
          },
        );
    },
  };
}
