import type { ApolloServer, BaseContext } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type Request } from 'express';
import type { Logger } from 'pino';
import { createHttpShell, finishHttpShell } from '../http/http-shell.ts';

export interface RequestInfo {
  req: Request;
  requestId: string;
  logger: Logger;
}

export interface GraphQLHttpAppOptions<TContext extends BaseContext> {
  /** A started Apollo Server. */
  apollo: ApolloServer<TContext>;
  /** Builds the per-request context (DataLoaders, caller identity, child logger). */
  context: (info: RequestInfo) => Promise<TContext> | TContext;
  logger: Logger;
  /** Hide unexpected error messages (production). */
  maskUnexpected: boolean;
  /** Routes mounted before `/graphql`: health, readiness, metrics. */
  routes?: (app: Express) => void;
  /** Largest accepted request body. @default '1mb' */
  bodyLimit?: string;
}

/**
 * The HTTP shell every GraphQL service shares:
 *   request id → access log → routes (healthz…) → JSON body → Apollo → 404 → problem+json.
 */
export function createGraphQLHttpApp<TContext extends BaseContext>({
  apollo,
  context,
  logger,
  maskUnexpected,
  routes,
  bodyLimit = '1mb',
}: GraphQLHttpAppOptions<TContext>): Express {
  const app = createHttpShell(logger);
  routes?.(app);
  app.use(
    '/graphql',
    express.json({ limit: bodyLimit }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = res.locals.requestId;
        return context({ req, requestId, logger: logger.child({ requestId }) });
      },
    }),
  );
  return finishHttpShell(app, { logger, maskUnexpected });
}
