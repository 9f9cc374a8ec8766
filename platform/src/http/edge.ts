import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { PROBLEM_CONTENT_TYPE, problemHeaders, toProblem } from '../errors/index.ts';
import { REQUEST_ID_HEADER, resolveRequestId } from './request-id.ts';

/**
 * A check every request passes before anything answers it — before routing and before any cached
 * answer (authentication, rate limits). It returns (or resolves) to let the request on, throws an
 * AppError to refuse it (answered as problem+json), or ends the response itself.
 */
export type EdgeMiddleware = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface EdgeOptions {
  logger: Logger;
  /** Hide the messages of unexpected errors (production). */
  maskUnexpected: boolean;
}

/**
 * Runs `middleware` in order in front of `inner` (the service's whole HTTP app, cache included),
 * so no cache hit can skip a per-caller check. Synchronous middleware costs no promise. The
 * request id is settled here, once, so an edge refusal and the app's answer carry the same one.
 */
export function withEdge(
  middleware: readonly EdgeMiddleware[],
  inner: RequestListener,
  { logger, maskUnexpected }: EdgeOptions,
): RequestListener {
  if (middleware.length === 0) return inner;
  const refuse = (req: IncomingMessage, res: ServerResponse, error: unknown) => {
    const problem = toProblem(error, { instance: req.url ?? '/', maskUnexpected });
    const requestId = req.headers[REQUEST_ID_HEADER] as string;
    // The same line the access log writes for any other refusal; a bug gets its stack.
    const line = {
      req: { id: requestId, method: req.method, path: req.url?.split('?')[0] },
      res: { statusCode: problem.status },
      code: problem.code,
    };
    // Where the access log and the metrics read an answer's code (no Express here to set it).
    Object.assign(res, { locals: { errorCode: problem.code } });
    if (problem.code === 'INTERNAL_SERVER_ERROR')
      logger.error({ ...line, err: error }, 'edge check failed');
    else logger.info(line, 'request refused at the edge');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res
      .writeHead(problem.status, {
        ...problemHeaders(error),
        'content-type': PROBLEM_CONTENT_TYPE,
        [REQUEST_ID_HEADER]: requestId,
      })
      .end(JSON.stringify(problem));
  };
  const run = (req: IncomingMessage, res: ServerResponse, from: number): void => {
    for (const [index, check] of middleware.entries()) {
      if (index < from) continue;
      let outcome: void | Promise<void>;
      try {
        outcome = check(req, res);
      } catch (error) {
        refuse(req, res, error);
        return;
      }
      if (res.writableEnded) return;
      if (outcome instanceof Promise) {
        outcome.then(
          () => {
            if (!res.writableEnded) run(req, res, index + 1);
          },
          (error: unknown) => {
            refuse(req, res, error);
          },
        );
        return;
      }
    }
    inner(req, res);
  };
  return (req, res) => {
    req.headers[REQUEST_ID_HEADER] = resolveRequestId(req.headers[REQUEST_ID_HEADER]);
    run(req, res, 0);
  };
}
