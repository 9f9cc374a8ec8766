import type { IncomingMessage } from 'node:http';
import type { Logger } from '@manifold/platform/logging';
import type { BoundOperation } from '../services/soap-service.ts';

/**
 * The access log's line for a success answered ahead of routing (cached-answers.ts,
 * uncached-answers.ts): debug, the line the app's access log writes for one.
 */
export function logAnsweredAhead(
  logger: Logger,
  req: IncomingMessage,
  requestId: string,
  operation: BoundOperation,
): void {
  if (logger.isLevelEnabled('debug'))
    logger.debug(
      {
        req: { id: requestId, method: req.method, path: operation.path },
        res: { statusCode: 200 },
        route: operation.path,
      },
      'request completed',
    );
}
