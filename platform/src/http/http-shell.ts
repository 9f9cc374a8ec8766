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
      // A line says what happened, not everything the client sent: method, path (no query, which
      // may carry secrets), route template, status, catalogue code, whose fault an error is
      // (`fault`: the client's for 4xx, ours for 5xx, as the metrics and alerts count them) and
      // request id — never headers.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customProps: (req, res) => {
        const route = (req as express.Request).route as { path?: unknown } | undefined;
        const code = (res as express.Response).locals.errorCode;
        const fault = faultOf(res.statusCode);
        return {
          ...(typeof route?.path === 'string' ? { route: route.path } : {}),
          ...(code === undefined ? {} : { code }),
          ...(fault === undefined ? {} : { fault }),
        };
      },
      customLogLevel: (_req, res, err) => accessLogLevel(res.statusCode, err, res),
    }),
  );
  return app;
}

/**
 * Whose an error answer is: a flood of bad requests must read as the callers' mistakes in the
 * logs, as it does in the metrics (status), never as an outage of ours.
 */
function faultOf(status: number): 'client' | 'ours' | undefined {
  if (status >= 500) return 'ours';
  return status >= 400 ? 'client' : undefined;
}

/**
 * Successes are debug: a line per request would drown the useful ones. A client's mistake (4xx)
 * is info. A bug (500, or an error the catalogue does not know) is error. A known outage
 * (UPSTREAM_*, STORE_UNAVAILABLE…) is debug per request: the outage itself is logged once, with a
 * periodic count, where it is detected (the cache, the upstream policy).
 */
function accessLogLevel(status: number, err: unknown, res: unknown): 'debug' | 'info' | 'error' {
  const code = (res as express.Response).locals.errorCode;
  if (
    err !== undefined ||
    (status >= 500 && (code === undefined || code === 'INTERNAL_SERVER_ERROR'))
  )
    return 'error';
  if (status >= 500) return 'debug';
  return status >= 400 ? 'info' : 'debug';
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
