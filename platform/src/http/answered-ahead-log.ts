import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';

/**
 * The access log's line for a success a service answered ahead of routing, without Express
 * (soap-proxy's cached and uncached answers, the webhooks ingest): debug, the line the app's
 * access log (access-log.ts) writes for one, so the two paths read alike in the logs.
 */
export function logAnsweredAhead(
  logger: Logger,
  req: IncomingMessage,
  requestId: string,
  { route, statusCode }: { route: string; statusCode: number },
): void {
  if (logger.isLevelEnabled('debug'))
    logger.debug(
      {
        req: { id: requestId, method: req.method, path: req.url?.split('?', 1)[0] },
        res: { statusCode },
        route,
      },
      'request completed',
    );
}
