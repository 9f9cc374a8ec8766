import { context } from '@opentelemetry/api';
import type { RequestHandler, Request, Response } from 'express';
import type { Logger } from 'pino';

/**
 * One access line per answered request, written when the answer ends (or the client goes away):
 * method, path (no query, which may carry secrets), route, status, catalogue code, whose fault an
 * error is (`fault`: the client's for 4xx, ours for 5xx, as the metrics and alerts count them)
 * and request id — never headers. `trace_id`/`span_id` come from the pino instrumentation: the
 * listener is bound to the context it is added in, the request's (the events of a request the
 * service spans itself are emitted in whatever context emits them: telemetry/own-server-spans.ts).
 *
 * Our own rather than pino-http: pino-http builds two child loggers per request (serialising the
 * request and its custom fields into bindings) even when the line's level is off, which it is for
 * every success (debug) in production — about 45 µs of CPU per request on a cached answer. Here a
 * request costs two listeners, and the line is only built when its level is enabled.
 */
export function accessLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = Date.now();
    const done = context.bind(context.active(), () => {
      res.removeListener('finish', done);
      res.removeListener('close', done);
      writeAccessLine(logger, req, res, Date.now() - started);
    });
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}

function writeAccessLine(logger: Logger, req: Request, res: Response, responseTime: number): void {
  const status = res.statusCode;
  const code = res.locals.errorCode;
  const level = accessLogLevel(status, code);
  if (!logger.isLevelEnabled(level)) return;
  const route = (req.route as { path?: unknown } | undefined)?.path;
  const fault = faultOf(status);
  const line = {
    req: { id: res.locals.requestId, method: req.method, path: req.originalUrl.split('?', 1)[0] },
    res: { statusCode: status },
    ...(typeof route === 'string' ? { route } : {}),
    ...(code === undefined ? {} : { code }),
    ...(fault === undefined ? {} : { fault }),
    responseTime,
  };
  if (status >= 500)
    logger[level](
      { ...line, err: new Error(`failed with status code ${String(status)}`) },
      'request errored',
    );
  else logger[level](line, 'request completed');
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
function accessLogLevel(status: number, code: string | undefined): 'debug' | 'info' | 'error' {
  if (status >= 500 && (code === undefined || code === 'INTERNAL_SERVER_ERROR')) return 'error';
  if (status >= 500) return 'debug';
  return status >= 400 ? 'info' : 'debug';
}
