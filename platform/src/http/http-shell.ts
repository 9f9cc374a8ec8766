import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import { notFoundMiddleware, problemMiddleware } from '../errors/index.ts';
import { requestIdMiddleware } from './request-id.ts';

/** The start of every Manifold HTTP app: request id (validated, echoed) and an access log. */
export function createHttpShell(logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(requestIdMiddleware());
  app.use(
    pinoHttp({
      logger,
      genReqId: (_req, res) => (res as express.Response).locals.requestId,
      // Successes are debug-level: an access line per request would drown the useful ones.
      customLogLevel: (_req, res, err) =>
        err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'debug',
    }),
  );
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
