import {
  createHttpShell,
  finishHttpShell,
  withEdge,
  type EdgeMiddleware,
} from '@manifold/platform/http';
import { AppError, isAppError } from '@manifold/platform/errors';
import type { Logger } from '@manifold/platform/logging';
import { docsRoutes } from '@manifold/platform/openapi';
import { ownServerSpans } from '@manifold/platform/telemetry';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { DeadLetters } from './dead-letters/dead-letters.ts';
import type { DestinationStates } from './delivery/destination-states.ts';
import type { Receiver } from './inbound/receiver.ts';
import { createApiDocument } from './openapi.ts';
import type { EndpointStates } from './outbound/endpoint-states.ts';
import { deadLetterRoutes } from './routes/dead-letters.ts';
import { destinationRoutes } from './routes/destinations.ts';
import { endpointRoutes } from './routes/endpoints.ts';
import { HOOKS_ROUTE, hookRoutes } from './routes/hooks.ts';
import { createHooksAhead, sourceAnsweredAhead } from './routes/hooks-ahead.ts';

export interface WebhooksDeps {
  /** Verifies and stores one inbound request. */
  receive: Receiver;
  deadLetters: DeadLetters;
  /** Registered endpoints' states (list, enable). */
  endpoints: Pick<EndpointStates, 'list' | 'enable'>;
  /** Destinations' states (list, resume). */
  destinations: Pick<DestinationStates, 'list' | 'resume'>;
  logger: Logger;
  production: boolean;
  /** Queue counts for /healthz. */
  health: () => Promise<Record<string, unknown>>;
  /** Whether the queue's Redis connection is up: a failure while it is not is an outage, not a bug. */
  storeReady: () => boolean;
  /** Checks ahead of routing (telemetry, authentication of /api). @default [] */
  edge?: readonly EdgeMiddleware[];
}

/**
 * server span (the service's own for what is answered ahead, the http instrumentation's for the
 * rest) → edge (telemetry; /api needs webhooks:read or webhooks:replay) → POST /hooks/:source answered
 * ahead of Express (hooks-ahead.ts; what it does not answer, or fails, goes on) → request id →
 * access log → /healthz · /openapi.json · /docs → POST /hooks/:source (raw body) → /api/v1 (JSON; a failure
 * while Redis is away → 503 STORE_UNAVAILABLE) → 404 → problem+json.
 */
export function createApp({
  receive,
  deadLetters,
  endpoints,
  destinations,
  logger,
  production,
  health,
  storeReady,
  edge = [],
}: WebhooksDeps) {
  const app = createHttpShell(logger);
  const hooksAhead = createHooksAhead(receive, logger);
  app.get('/healthz', async (_req, res) => {
    let queues: Record<string, unknown>;
    try {
      queues = await health();
    } catch (error) {
      // Without its Redis the service can acknowledge nothing: not ready (the launcher waits, a
      // load balancer sends senders elsewhere).
      throw new AppError('NOT_READY', 'The queue’s Redis is unreachable', { cause: error });
    }
    res.json({ status: 'ok', queues });
  });
  app.use(docsRoutes(createApiDocument()));
  app.use(hookRoutes(receive, hooksAhead.failedAhead));
  app.use(
    '/api/v1',
    express.json({ limit: '64kb' }),
    deadLetterRoutes(deadLetters),
    endpointRoutes(endpoints),
    destinationRoutes(destinations),
    (error: unknown, _req: Request, _res: Response, next: NextFunction) => {
      next(
        isAppError(error) || storeReady()
          ? error
          : new AppError('STORE_UNAVAILABLE', 'The queue’s Redis is unreachable; retry later', {
              cause: error,
              details: { retryAfterSeconds: 5 },
            }),
      );
    },
  );
  const maskUnexpected = production;
  // Around the edge, so that its request metrics and failures see the span of the request.
  return ownServerSpans(
    (req) => sourceAnsweredAhead(req) !== undefined,
    HOOKS_ROUTE,
    withEdge(edge, hooksAhead.inFrontOf(finishHttpShell(app, { logger, maskUnexpected })), {
      logger,
      maskUnexpected,
    }),
  );
}
