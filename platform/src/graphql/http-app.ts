import type { ApolloServer, BaseContext } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express, type Request } from 'express';
import type { Logger } from 'pino';
import { createHttpShell, finishHttpShell } from '../http/http-shell.ts';
import type { ComposedPlugins } from './server-plugin.ts';

export interface RequestInfo {
  req: Request;
  requestId: string;
  logger: Logger;
}

export interface GraphQLHttpAppOptions<TContext extends BaseContext> {
  /** A started Apollo Server, built with `plugins.serverOptions`. */
  apollo: ApolloServer<TContext>;
  /** The service's plugins, composed: their routes and middleware are mounted here. */
  plugins: ComposedPlugins<TContext>;
  /** Builds the service's own part of the per-request context (DataLoaders, child logger). */
  context: (info: RequestInfo) => Promise<TContext> | TContext;
  logger: Logger;
  /** Hide unexpected error messages (production). */
  maskUnexpected: boolean;
  /** Largest accepted request body, in bytes. @default 1048576 (1 MiB) */
  bodyLimitBytes?: number;
}

/**
 * The HTTP shell every GraphQL service shares:
 *   request id → access log → plugin routes (healthz…) → /graphql: plugin middleware (CORS,
 *   media type…) → JSON body → plugin body middleware (trusted documents, operation limits…)
 *   → Apollo (context: the service's, then each plugin's) → 404 → problem+json.
 */
export function createGraphQLHttpApp<TContext extends BaseContext>({
  apollo,
  plugins,
  context,
  logger,
  maskUnexpected,
  bodyLimitBytes = 1_048_576,
}: GraphQLHttpAppOptions<TContext>): Express {
  const app = createHttpShell(logger);
  plugins.routes(app);
  app.use(
    '/graphql',
    ...plugins.http,
    express.json({ limit: bodyLimitBytes }),
    ...plugins.body,
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId = res.locals.requestId;
        const info = { req, requestId, logger: logger.child({ requestId }) };
        return plugins.extendContext(await context(info), info);
      },
    }),
  );
  return finishHttpShell(app, { logger, maskUnexpected });
}
