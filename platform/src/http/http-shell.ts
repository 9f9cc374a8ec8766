import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { notFoundMiddleware, problemMiddleware } from '../errors/index.ts';
import { accessLog } from './access-log.ts';
import { requestIdMiddleware } from './request-id.ts';

/** The start of every Manifold HTTP app: request id (validated, echoed) and an access log. */
export function createHttpShell(logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestIdMiddleware());
  app.use(accessLog(logger));
  return app;
}

/** The end of every Manifold HTTP app: 404 for unknown routes, every error as problem+json. */
export function finishHttpShell(
  app: Express,
  { logger, maskUnexpected }: { logger: Logger; maskUnexpected: boolean },
): Express {
  app.use(notFoundMiddleware());
  app.use(problemMiddleware({ logger, maskUnexpected }));
  return app;
}
